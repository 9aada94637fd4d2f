using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Haven.Platform.Events;

/// <summary>
/// One LISTEN connection per app instance, turning PostgreSQL NOTIFY into in-process wake-ups: new outbox rows
/// (wake the sequencer), newly sequenced events (wake the dispatcher), new jobs (wake the worker) and realtime
/// control messages (typing, presence, group removals) that every instance must see. A notification is only a hint:
/// every consumer also polls, and after a reconnect all of them are woken, so a lost notification delays but never
/// loses work.
/// </summary>
internal sealed partial class DatabaseSignals(NpgsqlDataSource dataSource, ILogger<DatabaseSignals> logger) : BackgroundService
{
    public const string OutboxChannel = "haven_outbox";
    public const string EventsChannel = "haven_events";
    public const string JobsChannel = "haven_jobs";
    public const string RealtimeChannel = "haven_realtime";

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AsyncSignal Outbox { get; } = new();

    public AsyncSignal Events { get; } = new();

    public AsyncSignal Jobs { get; } = new();

    /// <summary>Receives every payload sent on <see cref="RealtimeChannel"/> (by any instance, this one included).</summary>
    public Action<string>? RealtimeMessage { get; set; }

    /// <summary>Completes once the first LISTEN is in place.</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand(
                    $"LISTEN {OutboxChannel}; LISTEN {EventsChannel}; LISTEN {JobsChannel}; LISTEN {RealtimeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening.TrySetResult();
                retry = TimeSpan.FromMilliseconds(250);
                // Anything committed while we were not listening is picked up now.
                WakeAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(KeepAlive, stoppingToken))
                    {
                        // Quiet for a while: prove the connection is still alive rather than wait on a dead socket.
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(logger, e.GetType().Name, retry.TotalMilliseconds);
                try
                {
                    await Task.Delay(retry, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromMilliseconds(Math.Min(retry.TotalMilliseconds * 2, 10_000));
            }
        }
    }

    private void WakeAll()
    {
        Outbox.Set();
        Events.Set();
        Jobs.Set();
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        switch (e.Channel)
        {
            case OutboxChannel:
                Outbox.Set();
                break;
            case EventsChannel:
                Events.Set();
                break;
            case JobsChannel:
                Jobs.Set();
                break;
            case RealtimeChannel:
                RealtimeMessage?.Invoke(e.Payload);
                break;
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "LISTEN connection failed ({Error}); reconnecting in {DelayMs} ms")]
    private static partial void LogListenFailed(ILogger logger, string error, double delayMs);
}

/// <summary>An auto-reset wake-up: many <see cref="Set"/> calls before a wait collapse into one.</summary>
internal sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private readonly Lock _lock = new();

    public void Set()
    {
        lock (_lock)
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
    }

    /// <summary>Waits for a <see cref="Set"/> or the timeout; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}

/// <summary>This process's identity among the app instances sharing the database (job leases, presence rows).</summary>
public sealed class HavenInstance
{
    public Guid Id { get; } = Guid.NewGuid();
}
