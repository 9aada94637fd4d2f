using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Events;

/// <summary>
/// Gives committed outbox rows their position. Why this is gap-free and commit-ordered:
/// <list type="number">
/// <item>Writers insert with position NULL; a row is visible to the sequencer only once its writer committed.</item>
/// <item>Each pass locks the single <c>event_sequence</c> row (FOR UPDATE), so passes on all instances run one after
/// another; the next pass starts only after the previous one committed and (READ COMMITTED, fresh snapshot per
/// statement) sees its result.</item>
/// <item>A pass numbers the rows it sees last+1 … last+k and moves last_position in the same transaction, so a
/// reader's snapshot contains either all of a pass's positions or none of them, and every earlier pass's.</item>
/// </list>
/// Hence any snapshot that contains position p contains every position below p: polling <c>position &gt; cursor</c>
/// never skips an event, however late its writer committed. The price is a short extra hop (commit → NOTIFY →
/// sequencer), and the numbers carry no holes, so a reader can also tell that it saw a contiguous stretch.
/// </summary>
internal sealed partial class EventSequencer(
    NpgsqlDataSource dataSource, DatabaseSignals signals, TimeProvider clock, IOptions<EventsOptions> options, ILogger<EventSequencer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SequenceOnceAsync(stoppingToken) == options.Value.SequencerBatchSize)
                {
                    // A full batch: there may be more waiting.
                }

                await signals.Outbox.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Never take the instance down: log, wait, try again (the database may be briefly away).
                LogPassFailed(logger, e.GetType().Name, e);
                try
                {
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass; returns how many events it sequenced.</summary>
    internal async Task<int> SequenceOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Cheap check without the lock: most wake-ups on a multi-instance cluster find the work already done.
        await using (var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM platform.events WHERE position IS NULL)", connection))
        {
            if (!(bool)(await any.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long last;
        await using (var lockRow = new NpgsqlCommand("SELECT last_position FROM platform.event_sequence WHERE id = 1 FOR UPDATE", connection, transaction))
        {
            last = (long)(await lockRow.ExecuteScalarAsync(cancellationToken))!;
        }

        int count;
        await using (var number = new NpgsqlCommand("""
            WITH pending AS (
                SELECT id FROM platform.events WHERE position IS NULL ORDER BY id LIMIT $2
            ), numbered AS (
                SELECT id, $1 + row_number() OVER (ORDER BY id) AS position FROM pending
            )
            UPDATE platform.events e SET position = n.position, sequenced_at = $3
            FROM numbered n WHERE e.id = n.id
            """, connection, transaction))
        {
            number.Parameters.Add(new() { Value = last });
            number.Parameters.Add(new() { Value = options.Value.SequencerBatchSize });
            number.Parameters.Add(new() { Value = clock.GetUtcNow() });
            count = await number.ExecuteNonQueryAsync(cancellationToken);
        }

        if (count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        await using (var advance = new NpgsqlBatch(connection, transaction))
        {
            var update = new NpgsqlBatchCommand("UPDATE platform.event_sequence SET last_position = $1 WHERE id = 1");
            update.Parameters.Add(new() { Value = last + count });
            advance.BatchCommands.Add(update);
            advance.BatchCommands.Add(new NpgsqlBatchCommand($"NOTIFY {DatabaseSignals.EventsChannel}"));
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        // The local dispatcher need not wait for the notification's round trip.
        signals.Events.Set();
        return count;
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Event sequencing pass failed ({Error}); retrying")]
    private static partial void LogPassFailed(ILogger logger, string error, Exception exception);
}
