using System.Text.Json;
using Haven.Platform.Data;
using Haven.Platform.Events;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Jobs;

internal sealed class JobQueue(NpgsqlDataSource dataSource, JobRegistry registry, TimeProvider clock) : IJobQueue
{
    public Task EnqueueAsync(DbContext db, JobRequest job, CancellationToken cancellationToken = default)
    {
        var (connection, transaction) = DbContextConnections.RequireTransaction(db, "IJobQueue.EnqueueAsync");
        return EnqueueAsync(connection, transaction, job, cancellationToken);
    }

    public async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JobRequest job, CancellationToken cancellationToken = default)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(InsertCommand(job));
        // Wakes idle workers on every instance when the transaction commits.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"NOTIFY {DatabaseSignals.JobsChannel}"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task EnqueueAsync(JobRequest job, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await EnqueueAsync(connection, transaction, job, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> RequeueDeadAsync(long jobId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE platform.jobs SET state = 'pending', attempts = 0, run_at = $2, locked_by = NULL, locked_until = NULL, updated_at = $2
            WHERE id = $1 AND state = 'dead';
            """);
        command.Parameters.Add(new() { Value = jobId });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        var requeued = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        if (requeued)
        {
            await using var notify = dataSource.CreateCommand($"NOTIFY {DatabaseSignals.JobsChannel}");
            await notify.ExecuteNonQueryAsync(cancellationToken);
        }

        return requeued;
    }

    internal NpgsqlBatchCommand InsertCommand(JobRequest job)
    {
        var definition = registry.Get(job.Kind);
        if (job.DedupeKey is { Length: > 200 })
        {
            throw new ArgumentException("A job's dedupe key is at most 200 characters.", nameof(job));
        }

        var now = clock.GetUtcNow();
        var payload = job.Payload is null ? "{}" : JsonSerializer.Serialize(job.Payload, EventEnvelope.Json);
        var command = new NpgsqlBatchCommand("""
            INSERT INTO platform.jobs (kind, payload, state, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at)
            VALUES ($1, $2, 'pending', 0, $3, $4, $5, $6, $6)
            ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND state <> 'dead' DO NOTHING
            """);
        command.Parameters.Add(new() { Value = job.Kind });
        command.Parameters.Add(new() { Value = payload, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = definition.MaxAttempts });
        command.Parameters.Add(new() { Value = job.RunAt ?? now });
        command.Parameters.Add(new() { Value = (object?)job.DedupeKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = now });
        return command;
    }
}
