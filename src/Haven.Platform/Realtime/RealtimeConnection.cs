using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Haven.Platform.Identity;
using Microsoft.AspNetCore.SignalR;

namespace Haven.Platform.Realtime;

/// <summary>
/// What a client receives. <see cref="Position"/> is set for stored events (ordered, replayed on reconnect; the
/// client keeps the highest it saw as its cursor and drops any position it already has); ephemeral messages
/// (typing, presence) have none. <see cref="Group"/> names the group of an ephemeral message.
/// </summary>
public sealed record RealtimeMessage(long? Position, string Type, string? Group, DateTimeOffset OccurredAt, JsonElement Payload);

/// <summary>
/// One client connection on this instance. Everything it receives goes through one queue drained by one writer, so
/// messages arrive in the order they were queued and a slow client never holds up anyone else; a client that falls
/// too far behind is disconnected and catches up from its cursor when it reconnects.
/// </summary>
internal sealed class RealtimeConnection
{
    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ISingleClientProxy _client;
    private readonly HubCallerContext _context;
    private readonly int _maxQueued;
    private readonly Task _writer;
    private int _queued;

    public RealtimeConnection(HubCallerContext context, ISingleClientProxy client, ICurrentUser user, Guid userId, int maxQueued)
    {
        _context = context;
        _client = client;
        _maxQueued = maxQueued;
        Id = context.ConnectionId;
        User = user;
        UserId = userId;
        SessionId = user.SessionId;
        _writer = Task.Run(WriteAsync);
    }

    public string Id { get; }

    public Guid UserId { get; }

    public Guid? SessionId { get; }

    public ICurrentUser User { get; }

    // The fields below are guarded by ConnectionRegistry's lock.

    /// <summary><c>user:&lt;id&gt;</c> and the joined groups; empty until the client subscribed.</summary>
    internal HashSet<string> Audiences { get; } = new(StringComparer.Ordinal);

    internal bool Subscribed { get; set; }

    /// <summary>The highest position queued (or covered by the cursor); stored events at or below it are never sent again.</summary>
    internal long LastQueued { get; set; }

    /// <summary>Live events held back while a catch-up is being sent, so they follow it in order.</summary>
    internal List<RealtimeMessage>? Held { get; set; }

    /// <summary>Per group: the typing state last forwarded and when (hub calls and a group removal may touch it at once).</summary>
    internal ConcurrentDictionary<string, (bool IsTyping, DateTimeOffset At)> Typing { get; } = new(StringComparer.Ordinal);

    public void Enqueue(RealtimeMessage message)
    {
        if (Interlocked.Increment(ref _queued) > _maxQueued)
        {
            Abort();
            return;
        }

        _queue.Writer.TryWrite(new Outgoing(message, null));
    }

    /// <summary>Completes when everything queued before it has been handed to the transport.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Outgoing(null, flushed)))
        {
            flushed.TrySetResult();
        }

        return flushed.Task;
    }

    public void Abort()
    {
        _queue.Writer.TryComplete();
        _context.Abort();
    }

    public Task CloseAsync()
    {
        _queue.Writer.TryComplete();
        return _writer;
    }

    private async Task WriteAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            if (item.Flushed is { } flushed)
            {
                flushed.TrySetResult();
                continue;
            }

            Interlocked.Decrement(ref _queued);
            try
            {
                await _client.SendCoreAsync(item.Message!.Type, [item.Message]);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
            {
                // The transport is gone; the client catches up from its cursor when it comes back.
                Abort();
            }
        }

        // Nobody waits forever on a flush of a closed connection.
        while (_queue.Reader.TryRead(out var left))
        {
            left.Flushed?.TrySetResult();
        }
    }

    private sealed record Outgoing(RealtimeMessage? Message, TaskCompletionSource? Flushed);
}
