using Haven.Platform.Jobs;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Events;

/// <summary>
/// Periodic: deletes sequenced events older than <see cref="EventsOptions.RetentionDays"/>, oldest first in small
/// batches, and records the highest deleted position in <c>pruned_through</c> in the same transaction. Readers see
/// both in one snapshot, so a cursor below it is answered "reset required" rather than silently missing events.
/// </summary>
internal sealed class EventRetentionJob(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<EventsOptions> options) : IJobHandler
{
    public const string Kind = "platform.events_prune";
    private const int BatchSize = 5000;

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        while (await PruneBatchAsync(cutoff, cancellationToken) == BatchSize)
        {
            // More to delete; each batch commits on its own so the sequencer is never held up for long.
        }

        return JobOutcome.Done;
    }

    internal async Task<int> PruneBatchAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? through;
        int deleted;
        await using (var delete = new NpgsqlCommand("""
            WITH oldest AS (
                SELECT position, sequenced_at FROM platform.events
                WHERE position > (SELECT pruned_through FROM platform.event_sequence WHERE id = 1)
                ORDER BY position LIMIT $2
            ), bound AS (
                SELECT max(position) AS through FROM oldest WHERE sequenced_at < $1
            ), gone AS (
                DELETE FROM platform.events WHERE position <= (SELECT through FROM bound) AND position IS NOT NULL RETURNING 1
            )
            SELECT (SELECT through FROM bound), (SELECT count(*) FROM gone)
            """, connection, transaction))
        {
            delete.Parameters.Add(new() { Value = cutoff });
            delete.Parameters.Add(new() { Value = BatchSize });
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            through = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            deleted = (int)reader.GetInt64(1);
        }

        if (through is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        await using (var record = new NpgsqlCommand(
            "UPDATE platform.event_sequence SET pruned_through = greatest(pruned_through, $1) WHERE id = 1", connection, transaction))
        {
            record.Parameters.Add(new() { Value = through.Value });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }
}
