using Microsoft.Extensions.Logging;
using Npgsql;

namespace Haven.Platform.Data;

/// <summary>
/// Applies pending <see cref="SqlMigration"/>s. A session-level advisory lock makes concurrent starts of several
/// instances safe: the first applies, the others wait and then find nothing to do. Each file runs in its own
/// transaction together with its bookkeeping row, so a failed migration leaves no trace.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // Arbitrary but fixed: every Haven instance must use the same key.
    internal const long AdvisoryLockKey = 0x4861_7665_6E4D_6967; // "HavenMig"

    public async Task<IReadOnlyList<SqlMigration>> ApplyAsync(IEnumerable<SqlMigration> migrations, CancellationToken cancellationToken)
    {
        var all = migrations.ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE SCHEMA IF NOT EXISTS platform;
                CREATE TABLE IF NOT EXISTS platform.schema_migrations (
                    stream     text        NOT NULL,
                    version    integer     NOT NULL,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (stream, version)
                );
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var done = new List<SqlMigration>();
            foreach (var migration in all.OrderBy(m => m.Stream == "platform" ? 0 : 1).ThenBy(m => m.Stream).ThenBy(m => m.Version))
            {
                if (applied.TryGetValue((migration.Stream, migration.Version), out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration} was changed after it was applied. Applied migrations are history: add a new one instead.");
                    }

                    continue;
                }

                await ApplyOneAsync(connection, migration, cancellationToken);
                done.Add(migration);
            }

            return done;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private async Task ApplyOneAsync(NpgsqlConnection connection, SqlMigration migration, CancellationToken cancellationToken)
    {
        logger.LogInformation("Applying migration {Migration}", migration.ToString());
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new InvalidOperationException($"Migration {migration} failed: {e.MessageText} (at {e.Position}).", e);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO platform.schema_migrations (stream, version, name, checksum) VALUES ($1, $2, $3, $4)", connection, transaction))
        {
            record.Parameters.Add(new() { Value = migration.Stream });
            record.Parameters.Add(new() { Value = migration.Version });
            record.Parameters.Add(new() { Value = migration.Name });
            record.Parameters.Add(new() { Value = migration.Checksum });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<Dictionary<(string, int), string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<(string, int), string>();
        await using var command = new NpgsqlCommand("SELECT stream, version, checksum FROM platform.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[(reader.GetString(0), reader.GetInt32(1))] = reader.GetString(2);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
