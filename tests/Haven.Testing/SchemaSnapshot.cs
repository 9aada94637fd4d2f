using Npgsql;

namespace Haven.Testing;

/// <summary>
/// The parts of a PostgreSQL schema that an EF model describes — columns (type, nullability, default, identity),
/// constraints and indexes — as comparable text rows keyed by table.
/// </summary>
public sealed class SchemaSnapshot
{
    private SchemaSnapshot(Dictionary<string, SortedSet<string>> tables) => Tables = tables;

    /// <summary>Table name to its description rows.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Tables { get; }

    public static async Task<SchemaSnapshot> ReadAsync(string connectionString, string schema)
    {
        var tables = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        await ReadRowsAsync(connection, """
            SELECT table_name, 'column ' || column_name || ' ' || data_type
                   || coalesce('(' || character_maximum_length || ')', '')
                   || coalesce(' numeric(' || numeric_precision || ',' || numeric_scale || ')', '')
                   || CASE WHEN data_type = 'ARRAY' OR data_type = 'USER-DEFINED' THEN ' ' || udt_name ELSE '' END
                   || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE ' null' END
                   || coalesce(' default ' || column_default, '')
                   || CASE WHEN is_identity = 'YES' THEN ' identity ' || identity_generation ELSE '' END
            FROM information_schema.columns
            WHERE table_schema = $1
            """, schema, tables);
        await ReadRowsAsync(connection, """
            SELECT cls.relname, 'constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            JOIN pg_class cls ON cls.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = cls.relnamespace
            WHERE ns.nspname = $1 AND con.contype IN ('p', 'f', 'u')
            """, schema, tables);
        await ReadRowsAsync(connection, """
            SELECT tablename, 'index ' || indexdef
            FROM pg_indexes
            WHERE schemaname = $1
            """, schema, tables);
        return new SchemaSnapshot(tables);
    }

    /// <summary>
    /// Differences between what the EF model expects and what the migrations built. Tables the migrations add beyond
    /// the model are reported unless listed in <paramref name="unmappedTables"/> (tables reached only through SQL).
    /// </summary>
    public static IReadOnlyList<string> Compare(SchemaSnapshot model, SchemaSnapshot migrated, string schema, IReadOnlySet<string> unmappedTables)
    {
        var differences = new List<string>();
        foreach (var (table, expected) in model.Tables)
        {
            if (!migrated.Tables.TryGetValue(table, out var actual))
            {
                differences.Add($"{schema}.{table}: in the EF model but no migration creates it");
                continue;
            }

            foreach (var row in expected.Except(actual))
            {
                differences.Add($"{schema}.{table}: model expects   {row}");
            }

            foreach (var row in actual.Except(expected))
            {
                differences.Add($"{schema}.{table}: migration has   {row}");
            }
        }

        foreach (var table in migrated.Tables.Keys.Except(model.Tables.Keys).Except(unmappedTables))
        {
            differences.Add($"{schema}.{table}: created by a migration but absent from the EF model (map it, or list it as SQL-only)");
        }

        return differences;
    }

    private static async Task ReadRowsAsync(NpgsqlConnection connection, string sql, string schema, Dictionary<string, SortedSet<string>> into)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = schema });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!into.TryGetValue(table, out var rows))
            {
                into[table] = rows = new SortedSet<string>(StringComparer.Ordinal);
            }

            rows.Add(reader.GetString(1));
        }
    }
}
