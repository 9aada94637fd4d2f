using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Haven.Platform.Audit;
using Haven.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Bench;

/// <summary>The audit chain: verifying a million entries, and what chaining costs an append.</summary>
public static class AuditBench
{
    /// <summary>Seeds <paramref name="count"/> realistic entries, then times the verifier against a plain scan of the same rows.</summary>
    public static async Task<int> VerifyAsync(int count)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            Console.WriteLine($"Chain verification of {count:N0} entries ({Environment.ProcessorCount} cores)");
            var seed = Stopwatch.StartNew();
            await SeedAsync(dataSource, count);
            Console.WriteLine($"  seeded in {seed.Elapsed.TotalSeconds:F1} s (COPY, triggers off); table size {await ScalarAsync(dataSource, "SELECT pg_size_pretty(pg_total_relation_size('platform.audit_entries'))")}");

            // Baselines: PostgreSQL counting the rows, and the verifier's own read of every row without hashing anything.
            await ScalarAsync(dataSource, "SELECT count(*) FROM platform.audit_entries");
            var countWatch = Stopwatch.StartNew();
            await ScalarAsync(dataSource, "SELECT count(*) FROM platform.audit_entries");
            var countTime = countWatch.Elapsed;
            var readTime = await TimeAsync(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await foreach (var _ in AuditStore.ReadAsync(connection, null, 1, count, CancellationToken.None))
                {
                }
            });

            AuditVerification? result = null;
            var verifyTime = await TimeAsync(async () => result = await new AuditVerifier(dataSource).VerifyAsync());
            var export = Path.Combine(Path.GetTempPath(), $"haven-bench-audit-{Guid.NewGuid():N}.jsonl");
            var exportTime = await TimeAsync(async () =>
            {
                await using var reader = await AuditExport.OpenAsync(dataSource, null, null, TimeProvider.System, CancellationToken.None);
                await using var file = File.Create(export);
                await reader.WriteToAsync(file, CancellationToken.None);
            });
            AuditVerification? fileResult = null;
            var fileVerifyTime = await TimeAsync(async () =>
            {
                await using var file = File.OpenRead(export);
                fileResult = await AuditExport.VerifyAsync(file);
            });
            var exportSize = new FileInfo(export).Length;
            File.Delete(export);

            Console.WriteLine();
            Console.WriteLine($"  {"",-58} {"seconds",8} {"entries/s",12}");
            Row("baseline: SELECT count(*)", countTime, count);
            Row("baseline: read and parse every row (no canonical form, no hash)", readTime, count);
            Row($"verify the chain in the database (intact: {result!.Intact})", verifyTime, count);
            Row($"export to a file ({exportSize / 1e6:F0} MB)", exportTime, count);
            Row($"verify the export file, no database (intact: {fileResult!.Intact})", fileVerifyTime, count);
            return result.Intact && fileResult.Intact && result.Checked == count ? 0 : 1;
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>
    /// Appends under the chain-head lock (what modules pay) against plain inserts of the same rows into an unchained copy
    /// of the table (same columns, no lock, no hash, no triggers), each from N concurrent writers, one entry per transaction.
    /// </summary>
    public static async Task<int> AppendAsync(int seconds, int writers)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = writers + 4 }.ConnectionString);
            await using (var create = dataSource.CreateCommand("CREATE TABLE public.audit_plain (LIKE platform.audit_entries INCLUDING ALL)"))
            {
                await create.ExecuteNonQueryAsync();
            }

            Console.WriteLine($"Audit append throughput, one entry per transaction, {seconds} s per run ({Environment.ProcessorCount} cores)");
            Console.WriteLine();
            Console.WriteLine($"  {"writers",8} {"plain insert/s",16} {"chained append/s",18} {"cost",8}");
            long plainSeq = 0;
            foreach (var concurrency in new[] { 1, writers })
            {
                var plain = await RunAsync(seconds, concurrency, async () =>
                {
                    var record = Entry(Interlocked.Increment(ref plainSeq), new byte[32]);
                    await using var connection = await dataSource.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    await using var batch = new NpgsqlBatch(connection, transaction);
                    var insert = AuditWriter.Insert(record, AuditCanonical.Hash(record));
                    insert.CommandText = insert.CommandText.Replace("platform.audit_entries", "public.audit_plain", StringComparison.Ordinal);
                    batch.BatchCommands.Add(insert);
                    await batch.ExecuteNonQueryAsync();
                    await transaction.CommitAsync();
                });
                var chained = await RunAsync(seconds, concurrency, async () =>
                {
                    await using var connection = await dataSource.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    await AuditWriter.WriteAsync(connection, transaction, [Pending()], CancellationToken.None);
                    await transaction.CommitAsync();
                });
                Console.WriteLine($"  {concurrency,8} {plain,16:N0} {chained,18:N0} {1 - (chained / plain),8:P0}");
            }

            var verification = await new AuditVerifier(dataSource).VerifyAsync();
            Console.WriteLine();
            Console.WriteLine($"  chain after the runs: {verification.Checked:N0} entries, intact: {verification.Intact}");
            return verification.Intact ? 0 : 1;
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<double> RunAsync(int seconds, int concurrency, Func<Task> operation)
    {
        var until = Stopwatch.StartNew();
        long done = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (until.Elapsed.TotalSeconds < seconds)
            {
                await operation();
                Interlocked.Increment(ref done);
            }
        });
        await Task.WhenAll(workers);
        return done / until.Elapsed.TotalSeconds;
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource, int count)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var replica = new NpgsqlCommand("SET session_replication_role = replica", connection))
        {
            await replica.ExecuteNonQueryAsync();
        }

        var previous = new byte[32];
        var buffer = new ArrayBufferWriter<byte>(1024);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY platform.audit_entries (seq, occurred_at, actor_type, actor_id, actor_name, session_id, actor_roles, tenant_id, client_address, " +
            "user_agent, request_id, action, resource_type, resource_id, note, changes, prev_hash, hash) FROM STDIN (FORMAT BINARY)"))
        {
            for (var seq = 1L; seq <= count; seq++)
            {
                var record = Entry(seq, previous);
                buffer.ResetWrittenCount();
                AuditCanonical.Write(record, buffer);
                var hash = SHA256.HashData(buffer.WrittenSpan);
                await copy.StartRowAsync();
                await copy.WriteAsync(record.Seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(record.OccurredAt, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(record.ActorType, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.ActorId!.Value, NpgsqlDbType.Uuid);
                await copy.WriteNullAsync();
                await copy.WriteAsync(record.SessionId!.Value, NpgsqlDbType.Uuid);
                await copy.WriteAsync(record.ActorRoles.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(record.TenantId!.Value, NpgsqlDbType.Uuid);
                await copy.WriteAsync(record.ClientAddress!, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.UserAgent!, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.RequestId!, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.Action, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.ResourceType, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.ResourceId!, NpgsqlDbType.Varchar);
                await copy.WriteAsync(record.Note!, NpgsqlDbType.Varchar);
                await copy.WriteAsync(AuditCanonical.SerializeChanges(record.Changes), NpgsqlDbType.Jsonb);
                await copy.WriteAsync(record.PrevHash, NpgsqlDbType.Bytea);
                await copy.WriteAsync(hash, NpgsqlDbType.Bytea);
                previous = hash;
            }

            await copy.CompleteAsync();
        }

        await using (var head = new NpgsqlCommand("UPDATE platform.audit_chain_head SET last_seq = $1, last_hash = $2", connection))
        {
            head.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
            head.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = previous });
            await head.ExecuteNonQueryAsync();
        }

        await using var analyze = new NpgsqlCommand("VACUUM ANALYZE platform.audit_entries", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static readonly Guid[] Tenants = [.. Enumerable.Range(0, 20).Select(_ => Guid.NewGuid())];

    /// <summary>An entry the size of a real one: a user in a tenant, a request, two changes, one of them redacted.</summary>
    private static AuditRecord Entry(long seq, byte[] previous) => new(
        seq,
        AuditCanonical.Truncate(DateTimeOffset.UtcNow),
        AuditActor.UserType,
        Guid.NewGuid(),
        null,
        Guid.NewGuid(),
        [$"kintaraa.provider@{Tenants[seq % Tenants.Length]}"],
        Tenants[seq % Tenants.Length],
        "203.0.113.27",
        "Mozilla/5.0 (Linux; Android 14) HavenMobile/2.3",
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        "kintaraa.case.updated",
        "case",
        Guid.NewGuid().ToString("D"),
        "status changed after the provider's visit",
        [new AuditChange("status", "assigned", "in_progress", false), new AuditChange("description", null, null, true)],
        previous);

    private static PendingAuditEntry Pending()
    {
        var record = Entry(0, []);
        return new PendingAuditEntry(record.OccurredAt, new AuditActor(record.ActorType, record.ActorId, record.SessionId, null, record.ActorRoles),
            record.TenantId, record.ClientAddress, record.UserAgent, record.RequestId, record.Action, record.ResourceType, record.ResourceId, record.Note, record.Changes);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private static void Row(string label, TimeSpan time, int count) =>
        Console.WriteLine($"  {label,-58} {time.TotalSeconds,8:F2} {count / time.TotalSeconds,12:N0}");
}
