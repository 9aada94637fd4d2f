using System.CommandLine;
using Haven.Platform.Modules;
using Haven.Platform.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Files;

/// <summary>
/// Removes what uploads whose process died left behind: every <c>platform.file_uploads</c> row older than
/// <see cref="HavenFileOptions.OrphanAfter"/> names an object (or a temporary file, or an unfinished multipart upload)
/// that no committed file owns. Each is claimed with a row lock, so an upload finishing at that moment either commits
/// first (and the row is gone) or finds its claim lost and cleans up itself.
/// </summary>
public sealed partial class FileSweeper(NpgsqlDataSource dataSource, IObjectStorage storage, TimeProvider clock, IOptions<HavenFileOptions> options, ILogger<FileSweeper> logger)
{
    internal const long AdvisoryLockKey = 0x4861_7665_6E46_5357; // "HavenFSW"

    /// <summary>Sweeps once; returns how many orphans were removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.OrphanAfter;
        var removed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            Guid id;
            string key;
            string? uploadId;
            await using (var claim = new NpgsqlCommand("""
                SELECT id, storage_key, backend_upload_id FROM platform.file_uploads
                WHERE started_at < $1 ORDER BY started_at LIMIT 1 FOR UPDATE SKIP LOCKED
                """, connection, transaction))
            {
                claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
                await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return removed;
                }

                id = reader.GetGuid(0);
                key = reader.GetString(1);
                uploadId = reader.IsDBNull(2) ? null : reader.GetString(2);
            }

            // The object goes first: if this fails, the row stays and the next sweep tries again.
            await storage.DeleteAsync(key, uploadId, cancellationToken);
            await using (var delete = new NpgsqlCommand("DELETE FROM platform.file_uploads WHERE id = $1", connection, transaction))
            {
                delete.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            removed++;
            LogSwept(logger, id);
        }

        return removed;
    }

    [LoggerMessage(EventId = 4311, Level = LogLevel.Information, Message = "Removed the leftovers of unfinished upload {FileId}")]
    private static partial void LogSwept(ILogger logger, Guid fileId);

    /// <summary>Runs the sweep every <see cref="HavenFileOptions.SweepEvery"/>, on one instance of the cluster at a time.</summary>
    internal sealed partial class Service(IServiceProvider services, NpgsqlDataSource dataSource, TimeProvider clock, IOptions<HavenFileOptions> options, ILogger<Service> logger)
        : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(options.Value.SweepEvery, clock);
            do
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                    await using var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({AdvisoryLockKey})", connection);
                    if (await tryLock.ExecuteScalarAsync(stoppingToken) is true)
                    {
                        try
                        {
                            await services.GetRequiredService<FileSweeper>().SweepAsync(stoppingToken);
                        }
                        finally
                        {
                            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", connection);
                            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }

        [LoggerMessage(EventId = 4312, Level = LogLevel.Warning, Message = "The orphan sweep failed; it runs again at the next interval")]
        private static partial void LogSweepFailed(ILogger logger, Exception exception);
    }
}

/// <summary>What a key rotation pass over the stored files did.</summary>
public sealed record FileRotationResult(int ReWrapped, int Failed);

/// <summary>
/// Re-wraps every file's data key under the current version of key ring <c>files</c>. Content is untouched (the data
/// key does not change), so rotating is quick whatever the files' sizes; an old version can be removed from
/// configuration once a pass reports nothing failed and nothing left.
/// </summary>
public sealed partial class FileKeyRotation(NpgsqlDataSource dataSource, KeyStore keys, ILogger<FileKeyRotation> logger)
{
    public async Task<FileRotationResult> RotateAsync(CancellationToken cancellationToken)
    {
        var ring = keys.Get(FileCipher.KekName);
        var current = ring.Current;
        var done = 0;
        var failed = new List<Guid>();
        while (true)
        {
            var rows = new List<(Guid Id, string KeyId, byte[] Wrapped)>();
            await using (var select = dataSource.CreateCommand(
                "SELECT id, key_id, wrapped_key FROM platform.files WHERE key_id <> $1 AND NOT (id = ANY($2)) ORDER BY id LIMIT 500"))
            {
                select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.Id });
                select.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. failed] });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
                }
            }

            if (rows.Count == 0)
            {
                return new FileRotationResult(done, failed.Count);
            }

            await using var batch = dataSource.CreateBatch();
            foreach (var (id, keyId, wrapped) in rows)
            {
                byte[] rewrapped;
                try
                {
                    var dataKey = FileCipher.UnwrapKey(wrapped, ring.Get(keyId), id);
                    rewrapped = FileCipher.WrapKey(dataKey, current, id);
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
                }
                catch (Exception e) when (e is FileIntegrityException or System.Security.Cryptography.CryptographicException)
                {
                    LogUnwrapFailed(logger, id, keyId, e.Message);
                    failed.Add(id);
                    continue;
                }

                var update = new NpgsqlBatchCommand("UPDATE platform.files SET key_id = $1, wrapped_key = $2 WHERE id = $3 AND key_id = $4");
                update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.Id });
                update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = rewrapped });
                update.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
                update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keyId });
                batch.BatchCommands.Add(update);
            }

            if (batch.BatchCommands.Count > 0)
            {
                done += await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 4321, Level = LogLevel.Error, Message = "The data key of file {FileId} does not unwrap under key version {KeyId} ({Reason}); left unchanged")]
    private static partial void LogUnwrapFailed(ILogger logger, Guid fileId, string keyId, string reason);
}

/// <summary>Ready only while the configured storage accepts a write.</summary>
internal sealed class FileStorageHealthCheck(IObjectStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{storage.Name} file storage is not writable", e);
        }
    }
}

/// <summary><c>files rotate-keys</c> and <c>files sweep</c>.</summary>
public static class FileCommands
{
    public static Command Create(HostFactory hosts)
    {
        var files = new Command("files", "Encrypted file storage.");

        var rotate = new Command("rotate-keys", "Re-wrap every file's data key under the current 'files' key (content is not rewritten).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        rotate.SetAction(async (result, cancellationToken) =>
        {
            await using var host = await hosts([.. result.UnmatchedTokens], cancellationToken);
            var outcome = await host.Services.GetRequiredService<FileKeyRotation>().RotateAsync(cancellationToken);
            Console.WriteLine($"{outcome.ReWrapped} data keys re-wrapped, {outcome.Failed} could not be unwrapped.");
            return outcome.Failed > 0 ? 1 : 0;
        });
        files.Subcommands.Add(rotate);

        var sweep = new Command("sweep", "Remove the leftovers of uploads whose process died (older than Haven:Files:OrphanAfter).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        sweep.SetAction(async (result, cancellationToken) =>
        {
            await using var host = await hosts([.. result.UnmatchedTokens], cancellationToken);
            var removed = await host.Services.GetRequiredService<FileSweeper>().SweepAsync(cancellationToken);
            Console.WriteLine($"{removed} orphaned uploads removed.");
            return 0;
        });
        files.Subcommands.Add(sweep);
        return files;
    }
}
