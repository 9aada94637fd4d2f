using System.CommandLine;
using System.Security.Cryptography;
using Haven.Platform.Data;
using Haven.Platform.Modules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Crypto;

/// <summary>What one rotation pass did to one encrypted column.</summary>
public sealed record FieldRotationResult(string Table, string Column, int ReEncrypted, int ReIndexed, int Failed);

/// <summary>
/// Key rotation for encrypted columns. Rotation is lazy and eager at once: once <c>Haven:Keys:fields:Current</c> names a
/// new version, every value written is encrypted under it and old values still decrypt (their key id is in the
/// envelope); this pass re-encrypts the rest in batches, so an old version can be retired once it reports nothing left.
/// With <c>reindex</c> it also recomputes every blind index under the current <c>field-index</c> key (searches miss
/// rows not yet recomputed meanwhile: rotate the index key in a quiet hour). Each row is updated only if it still holds
/// the value read (compare-and-set on <c>ctid</c> and the old bytes), so concurrent application writes win.
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
                foreach (var property in entity.GetProperties())
                {
                    if (property.FindAnnotation(FieldEncryption.EncryptedAnnotation)?.Value is not EncryptedPropertyOptions options)
                    {
                        continue;
                    }

                    var column = property.GetColumnName(table)!;
                    var (reEncrypted, failed) = await ReEncryptAsync(qualified, column, options.Purpose!, cancellationToken);
                    var reIndexed = 0;
                    if (reindex)
                    {
                        foreach (var shadow in entity.GetProperties().Where(p =>
                                     p.FindAnnotation(FieldEncryption.BlindIndexOfAnnotation)?.Value is BlindIndexOptions b && b.SourceProperty == property.Name))
                        {
                            var index = (BlindIndexOptions)shadow[FieldEncryption.BlindIndexOfAnnotation]!;
                            reIndexed += await ReIndexAsync(qualified, column, shadow.GetColumnName(table)!, options.Purpose!, index, cancellationToken);
                        }
                    }

                    results.Add(new FieldRotationResult($"{entity.GetSchema()}.{tableName}", column, reEncrypted, reIndexed, failed));
                }
            }
        }

        return results;
    }

    private async Task<(int Done, int Failed)> ReEncryptAsync(string table, string column, string purpose, CancellationToken cancellationToken)
    {
        var prefix = encryption.CurrentPrefix();
        var done = 0;
        var failed = 0;
        var after = new NpgsqlTid(0, 0);
        while (true)
        {
            var rows = new List<(NpgsqlTid Tid, byte[] Value)>();
            await using (var select = dataSource.CreateCommand(
                $"SELECT ctid, {Quote(column)} FROM {table} WHERE ctid > $1 AND {Quote(column)} IS NOT NULL " +
                $"AND substring({Quote(column)} from 1 for $2) <> $3 ORDER BY ctid LIMIT {BatchSize}"))
            {
                select.Parameters.Add(new NpgsqlParameter<NpgsqlTid> { TypedValue = after });
                select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = prefix.Length });
                select.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = prefix });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((reader.GetFieldValue<NpgsqlTid>(0), reader.GetFieldValue<byte[]>(1)));
                }
            }

            if (rows.Count == 0)
            {
                return (done, failed);
            }

            await using var batch = dataSource.CreateBatch();
            foreach (var (tid, value) in rows)
            {
                byte[] replacement;
                try
                {
                    replacement = encryption.Encrypt(encryption.Decrypt(value, purpose), purpose);
                }
                catch (CryptographicException e)
                {
                    // A value that does not open is reported, never overwritten: it may be evidence of tampering.
                    LogUndecryptable(logger, table, column, tid.ToString(), e.Message);
                    failed++;
                    continue;
                }

                var update = new NpgsqlBatchCommand($"UPDATE {table} SET {Quote(column)} = $1 WHERE ctid = $2 AND {Quote(column)} = $3");
                update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = replacement });
                update.Parameters.Add(new NpgsqlParameter<NpgsqlTid> { TypedValue = tid });
                update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = value });
                batch.BatchCommands.Add(update);
            }

            if (batch.BatchCommands.Count > 0)
            {
                done += await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            after = rows[^1].Tid;
        }
    }

    private async Task<int> ReIndexAsync(string table, string column, string indexColumn, string purpose, BlindIndexOptions index, CancellationToken cancellationToken)
    {
        var done = 0;
        var after = new NpgsqlTid(0, 0);
        while (true)
        {
            var rows = new List<(NpgsqlTid Tid, byte[] Value)>();
            await using (var select = dataSource.CreateCommand(
                $"SELECT ctid, {Quote(column)} FROM {table} WHERE ctid > $1 AND {Quote(column)} IS NOT NULL ORDER BY ctid LIMIT {BatchSize}"))
            {
                select.Parameters.Add(new NpgsqlParameter<NpgsqlTid> { TypedValue = after });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((reader.GetFieldValue<NpgsqlTid>(0), reader.GetFieldValue<byte[]>(1)));
                }
            }

            if (rows.Count == 0)
            {
                return done;
            }

            await using var batch = dataSource.CreateBatch();
            foreach (var (tid, value) in rows)
            {
                string plaintext;
                try
                {
                    plaintext = encryption.Decrypt(value, purpose);
                }
                catch (CryptographicException e)
                {
                    LogUndecryptable(logger, table, column, tid.ToString(), e.Message);
                    continue;
                }

                var update = new NpgsqlBatchCommand($"UPDATE {table} SET {Quote(indexColumn)} = $1 WHERE ctid = $2 AND {Quote(column)} = $3");
                update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = encryption.BlindIndex(plaintext, index.Purpose!, index.Normalization) });
                update.Parameters.Add(new NpgsqlParameter<NpgsqlTid> { TypedValue = tid });
                update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = value });
                batch.BatchCommands.Add(update);
            }

            if (batch.BatchCommands.Count > 0)
            {
                done += await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            after = rows[^1].Tid;
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "An encrypted value in {Table}.{Column} at {Ctid} does not decrypt ({Reason}); left unchanged")]
    private static partial void LogUndecryptable(ILogger logger, string table, string column, string ctid, string reason);

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
