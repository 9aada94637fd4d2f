using Haven.Platform.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Realtime;

/// <summary>
/// Follows the sequenced event stream on this instance (woken by NOTIFY from whichever instance sequenced) and
/// hands each event to the local connections that listen to one of its audiences. Reading <c>position &gt; last</c>
/// is safe because positions become visible in order (see <see cref="EventSequencer"/>).
/// </summary>
internal sealed partial class EventDispatcher(
    EventFeed feed, ConnectionRegistry registry, DatabaseSignals signals, IOptions<EventsOptions> options, ILogger<EventDispatcher> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server accepts connections: clients subscribing from now on catch up from the database up to here.
        // If the database is unreachable the process still starts; the loop retries and subscriptions wait.
        try
        {
            registry.Start(await feed.LatestPositionAsync(cancellationToken));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogDispatchFailed(logger, e.GetType().Name, e);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchPendingAsync(stoppingToken);
                await signals.Events.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Never take the instance down: log, wait, try again (the database may be briefly away).
                LogDispatchFailed(logger, e.GetType().Name, e);
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

    private async Task DispatchPendingAsync(CancellationToken cancellationToken)
    {
        if (!registry.Started.IsCompleted)
        {
            registry.Start(await feed.LatestPositionAsync(cancellationToken));
        }

        while (true)
        {
            if (!registry.HasSubscribers && registry.TryAdvanceIdle(await feed.LatestPositionAsync(cancellationToken)))
            {
                return;
            }

            var batch = await feed.ReadAllAsync(registry.Dispatched, BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                return;
            }

            registry.Dispatch(batch);
            if (batch.Count < BatchSize)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Warning, Message = "Event dispatch failed ({Error}); retrying")]
    private static partial void LogDispatchFailed(ILogger logger, string error, Exception exception);
}
