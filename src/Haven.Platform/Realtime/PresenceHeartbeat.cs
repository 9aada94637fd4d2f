using Haven.Platform.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Realtime;

/// <summary>Keeps this instance's presence row alive, and removes it on a clean shutdown.</summary>
internal sealed partial class PresenceHeartbeat(
    PresenceStore presence, RealtimeService realtime, TimeProvider clock, IOptions<RealtimeOptions> options, ILogger<PresenceHeartbeat> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server accepts connections, whose rows reference this one. An unreachable database must not stop
        // the process from starting (readiness reports it); the loop below keeps trying, and connections wait for it.
        try
        {
            await presence.RegisterInstanceAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogHeartbeatFailed(logger, e.GetType().Name);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await presence.UnregisterInstanceAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // The sweep removes it once the heartbeat is stale.
            LogHeartbeatFailed(logger, e.GetType().Name);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (!presence.InstanceRegistered.IsCompleted)
                    {
                        await presence.RegisterInstanceAsync(stoppingToken);
                    }
                    else if (!await presence.HeartbeatAsync(stoppingToken))
                    {
                        await realtime.ReRegisterAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    LogHeartbeatFailed(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Warning, Message = "Presence heartbeat failed ({Error})")]
    private static partial void LogHeartbeatFailed(ILogger logger, string error);
}

/// <summary>Periodic, once per cluster: removes instances whose heartbeat stopped and tells groups who went offline with them.</summary>
internal sealed class PresenceSweepJob(PresenceStore presence, RealtimeService realtime) : IJobHandler
{
    public const string Kind = "platform.presence_sweep";

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        foreach (var group in (await presence.SweepAsync(cancellationToken)).GroupBy(p => p.User))
        {
            await realtime.AnnouncePresenceAsync([.. group.Select(p => p.Group)], group.Key, false);
        }

        return JobOutcome.Done;
    }
}
