using System.CommandLine;
using System.Security.Cryptography;
using Haven.Platform.Data;
using Haven.Platform.Modules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Haven.Platform.Crypto;

/// <summary>What one rotation pass did to one encrypted column.</summary>
public sealed record FieldRotationResult(string Table, string Column, int ReEncrypted, int ReIndexed, int Failed);

/// <summary>
/// Key rotation for encrypted columns. Rotation is lazy and eager at once: once <c>Haven:Keys:fields:Current</c> names a
/// new version, every value written is encrypted under it and old values still decrypt (their key id is in the
/// envelope); this pass re-encrypts the rest in batches, so an old version can be retired once it reports nothing left.
/// With <c>reindex</c> it also recomputes every blind index under the current <c>field-index</c> key (searches miss
/// rows not yet recomputed meanwhile: rotate the index key in a quiet hour). Each row is updated only if it still holds
/// the value read (compare-and-set on the primary key and the old bytes), so concurrent application writes win.
/// </summary>
public sealed partial class FieldKeyRotation(IServiceProvider services, FieldEncryption encryption, NpgsqlDataSource dataSource, ILogger<FieldKeyRotation> logger)
{
    private const int BatchSize = 500;

    public async Task<IReadOnlyList<FieldRotationResult>> RotateAsync(bool reindex, CancellationToken cancellationToken)
    {
        var results = new List<FieldRotationResult>();
        foreach (var registration in services.GetServices<DbContextRegistration>())
        {
            await using var scope = services.CreateAsyncScope();
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            foreach (var entity in context.Model.GetEntityTypes())
            {
                if (entity.GetTableName() is not { } tableName)
                {
                    continue;
                }

                var table = StoreObjectIdentifier.Table(tableName, entity.GetSchema());
                var qualified = $"{Quote(entity.GetSchema() ?? "public")}.{Quote(tableName)}";
                var key = entity.FindPrimaryKey()?.Properties.Select(p => p.GetColumnName(table)!).ToList();
                if (key is null)
                {
                    continue;
                }

                foreach (var property in entity.GetProperties())
                {
                    if (property.FindAnnotation(FieldEncryption.EncryptedAnnotation)?.Value is not EncryptedPropertyOptions options)
                    {
                        continue;
                    }

                    var column = new Column(qualified, property.GetColumnName(table)!, key, options.Purpose!);
                    var (reEncrypted, failed) = await ReEncryptAsync(column, cancellationToken);
                    var reIndexed = 0;
                    if (reindex)
                    {
                        foreach (var shadow in entity.GetProperties().Where(p =>
                                     p.FindAnnotation(FieldEncryption.BlindIndexOfAnnotation)?.Value is BlindIndexOptions b && b.SourceProperty == property.Name))
                        {
                            var index = (BlindIndexOptions)shadow[FieldEncryption.BlindIndexOfAnnotation]!;
                            reIndexed += await ReIndexAsync(column, shadow.GetColumnName(table)!, index, cancellationToken);
                        }
                    }

                    results.Add(new FieldRotationResult($"{entity.GetSchema()}.{tableName}", column.Name, reEncrypted, reIndexed, failed));
                }
            }
        }

        return results;
    }

    private async Task<(int Done, int Failed)> ReEncryptAsync(Column c, CancellationToken cancellationToken)
    {
        var prefix = encryption.CurrentPrefix();
        var done = 0;
        var failed = 0;
        object[]? after = null;
        while (true)
        {
            var rows = await ReadBatchAsync(c, after, $"substring({Quote(c.Name)} from 1 for {prefix.Length}) <> $1", [prefix], cancellationToken);
            if (rows.Count == 0)
            {
                return (done, failed);
            }

            await using var batch = dataSource.CreateBatch();
            foreach (var (key, value) in rows)
            {
                byte[] replacement;
                try
                {
                    replacement = encryption.Encrypt(encryption.Decrypt(value, c.Purpose), c.Purpose);
                }
                catch (CryptographicException e)
                {
                    // A value that does not open is reported, never overwritten: it may be evidence of tampering.
                    LogUndecryptable(logger, c.Table, c.Name, e.Message);
                    failed++;
                    continue;
                }

                batch.BatchCommands.Add(CompareAndSet(c, c.Name, replacement, key, value));
            }

            if (batch.BatchCommands.Count > 0)
            {
                done += await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            after = rows[^1].Key;
        }
    }

    private async Task<int> ReIndexAsync(Column c, string indexColumn, BlindIndexOptions index, CancellationToken cancellationToken)
    {
        var done = 0;
        object[]? after = null;
        while (true)
        {
            var rows = await ReadBatchAsync(c, after, null, [], cancellationToken);
            if (rows.Count == 0)
            {
                return done;
            }

            await using var batch = dataSource.CreateBatch();
            foreach (var (key, value) in rows)
            {
                string plaintext;
                try
                {
                    plaintext = encryption.Decrypt(value, c.Purpose);
                }
                catch (CryptographicException e)
                {
                    LogUndecryptable(logger, c.Table, c.Name, e.Message);
                    continue;
                }

                batch.BatchCommands.Add(CompareAndSet(c, indexColumn, encryption.BlindIndex(plaintext, index.Purpose!, index.Normalization), key, value));
            }

            if (batch.BatchCommands.Count > 0)
            {
                done += await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            after = rows[^1].Key;
        }
    }

    /// <summary>The next batch of non-null values in primary-key order after <paramref name="after"/> (keyset paging: updated rows are not revisited).</summary>
    private async Task<List<(object[] Key, byte[] Value)>> ReadBatchAsync(
        Column c, object[]? after, string? condition, object[] conditionParameters, CancellationToken cancellationToken)
    {
        var keys = string.Join(", ", c.Key.Select(Quote));
        var parameters = new List<object>(conditionParameters);
        var where = $"{Quote(c.Name)} IS NOT NULL";
        if (condition is not null)
        {
            where += " AND " + condition;
        }

        if (after is not null)
        {
            where += $" AND ({keys}) > ({string.Join(", ", after.Select((_, i) => "$" + (parameters.Count + i + 1)))})";
            parameters.AddRange(after);
        }

        await using var select = dataSource.CreateCommand($"SELECT {keys}, {Quote(c.Name)} FROM {c.Table} WHERE {where} ORDER BY {keys} LIMIT {BatchSize}");
        foreach (var parameter in parameters)
        {
            select.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var rows = new List<(object[] Key, byte[] Value)>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = new object[c.Key.Count];
            for (var i = 0; i < key.Length; i++)
            {
                key[i] = reader.GetValue(i);
            }

            rows.Add((key, reader.GetFieldValue<byte[]>(c.Key.Count)));
        }

        return rows;
    }

    /// <summary>Sets a column only if the row still holds the value that was read, so a concurrent application write wins.</summary>
    private static NpgsqlBatchCommand CompareAndSet(Column c, string column, byte[] newValue, object[] key, byte[] oldValue)
    {
        var keyMatch = string.Join(" AND ", c.Key.Select((k, i) => $"{Quote(k)} = ${i + 3}"));
        var command = new NpgsqlBatchCommand($"UPDATE {c.Table} SET {Quote(column)} = $1 WHERE {Quote(c.Name)} = $2 AND {keyMatch}");
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = newValue });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = oldValue });
        foreach (var part in key)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = part });
        }

        return command;
    }

    private sealed record Column(string Table, string Name, IReadOnlyList<string> Key, string Purpose);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "An encrypted value in {Table}.{Column} does not decrypt ({Reason}); left unchanged")]
    private static partial void LogUndecryptable(ILogger logger, string table, string column, string reason);

    /// <summary><c>fields rotate-keys [--reindex]</c>.</summary>
    public static Command Command(HostFactory hosts)
    {
        var reindex = new Option<bool>("--reindex") { Description = "Also recompute every blind index under the current field-index key." };
        var command = new Command("rotate-keys", "Re-encrypt every encrypted column value not under the current 'fields' key (and optionally re-index).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(reindex);
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var host = await hosts([.. result.UnmatchedTokens], cancellationToken);
            var rotation = host.Services.GetRequiredService<FieldKeyRotation>();
            var results = await rotation.RotateAsync(result.GetValue(reindex), cancellationToken);
            foreach (var r in results)
            {
                Console.WriteLine($"{r.Table}.{r.Column}: {r.ReEncrypted} re-encrypted, {r.ReIndexed} re-indexed, {r.Failed} could not be decrypted");
            }

            Console.WriteLine(results.Count == 0 ? "No encrypted columns in the enabled modules." : "Done.");
            return results.Any(r => r.Failed > 0) ? 1 : 0;
        });
        var fields = new Command("fields", "Encrypted database columns.");
        fields.Subcommands.Add(command);
        return fields;
    }
}
