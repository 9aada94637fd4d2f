using System.Text.Json;
using Haven.Platform.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Realtime;

/// <summary>The hub calls every <see cref="HavenHub"/> offers, and <see cref="IRealtime"/>.</summary>
internal sealed partial class RealtimeService : IRealtime
{
    private const int CatchUpPageSize = 500;
    private readonly ConnectionRegistry _registry;
    private readonly PresenceStore _presence;
    private readonly RealtimeBus _bus;
    private readonly EventFeed _feed;
    private readonly GroupKinds _kinds;
    private readonly TimeProvider _clock;
    private readonly RealtimeOptions _options;
    private readonly ILogger<RealtimeService> _logger;

    public RealtimeService(
        ConnectionRegistry registry, PresenceStore presence, RealtimeBus bus, EventFeed feed, GroupKinds kinds,
        TimeProvider clock, IOptions<RealtimeOptions> options, ILogger<RealtimeService> logger)
    {
        _registry = registry;
        _presence = presence;
        _bus = bus;
        _feed = feed;
        _kinds = kinds;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        bus.Removed = OnRemovedAsync;
    }

    public Task SendAsync(string group, string type, object payload, CancellationToken cancellationToken = default)
    {
        RequireGroup(group);
        // Validates the type the same way stored events are.
        var envelope = EventEnvelope.Create(type, [group], payload);
        return _bus.SendAsync(group, envelope.Type, envelope.Payload, null, cancellationToken);
    }

    public Task RemoveFromGroupAsync(string group, Guid userId, CancellationToken cancellationToken = default)
    {
        RequireGroup(group);
        return _bus.RemoveFromGroupAsync(group, userId, cancellationToken);
    }

    public Task DisconnectAsync(Guid userId, Guid? sessionId = null, CancellationToken cancellationToken = default) =>
        _bus.DisconnectAsync(userId, sessionId, cancellationToken);

    public Task<IReadOnlyList<Guid>> OnlineUsersAsync(string group, CancellationToken cancellationToken = default) =>
        _presence.OnlineUsersAsync(group, cancellationToken);

    public Task<bool> IsOnlineAsync(Guid userId, CancellationToken cancellationToken = default) =>
        _presence.IsOnlineAsync(userId, cancellationToken);

    internal async Task ConnectAsync(HubCallerContext context, ISingleClientProxy caller)
    {
        var user = new HubCurrentUser(context.User, context.GetHttpContext());
        if (user.UserId is not { } userId)
        {
            // Authenticated but not a Haven user principal: nothing to address it by.
            context.Abort();
            return;
        }

        await _presence.InstanceRegistered.WaitAsync(context.ConnectionAborted);
        var connection = new RealtimeConnection(context, caller, user, userId, _options.MaxQueuedMessagesPerConnection);
        _registry.Add(connection);
        await _presence.ConnectedAsync(connection.Id, userId, context.ConnectionAborted);
    }

    internal async Task DisconnectAsync(HubCallerContext context)
    {
        if (_registry.Get(context.ConnectionId) is not { } connection)
        {
            return;
        }

        var groups = _registry.Remove(connection);
        _ = connection.CloseAsync();
        foreach (var group in groups.Where(g => connection.Typing.TryGetValue(g, out var t) && t.IsTyping))
        {
            await SendTypingAsync(connection, group, false, CancellationToken.None);
        }

        var offline = await _presence.DisconnectedAsync(connection.Id, connection.UserId, CancellationToken.None);
        await AnnouncePresenceAsync(offline, connection.UserId, false);
    }

    internal async Task<SubscribeResult> SubscribeAsync(HubCallerContext context, IServiceProvider services, SubscribeRequest request)
    {
        var connection = Require(context);
        var cancellationToken = context.ConnectionAborted;
        await _registry.Started.WaitAsync(cancellationToken);
        if (connection.Subscribed)
        {
            return new SubscribeResult(false, RealtimeCodes.AlreadySubscribed, 0, false, [], []);
        }

        if (request.Cursor is < 0)
        {
            return new SubscribeResult(false, RealtimeCodes.InvalidCursor, 0, false, [], []);
        }

        var requested = (request.Groups ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (requested.Count > _options.MaxGroupsPerConnection)
        {
            return new SubscribeResult(false, RealtimeCodes.TooManyGroups, 0, false, [], []);
        }

        var joined = new List<string>();
        var refused = new List<string>();
        foreach (var group in requested)
        {
            (await CanJoinAsync(connection, group, services, cancellationToken) ? joined : refused).Add(group);
        }

        var cursor = request.Cursor;
        var resetRequired = false;
        if (cursor is { } claimed && claimed > _registry.Dispatched && claimed > await _feed.LatestPositionAsync(cancellationToken))
        {
            // A cursor from the future (another database, a restore): the client cannot have what it claims.
            cursor = null;
            resetRequired = true;
        }

        var audiences = joined.Prepend(EventAudience.User(connection.UserId)).ToList();
        var range = _registry.Subscribe(connection, audiences, cursor, out var position);
        if (range is { } catchUp)
        {
            try
            {
                var after = catchUp.After;
                while (true)
                {
                    var page = await _feed.ReadAsync(audiences, after, catchUp.UpTo, CatchUpPageSize, cancellationToken);
                    if (page.ResetRequired)
                    {
                        resetRequired = true;
                        break;
                    }

                    foreach (var stored in page.Events)
                    {
                        connection.Enqueue(new RealtimeMessage(stored.Position, stored.Type, null, stored.OccurredAt, stored.Payload));
                    }

                    if (page.Events.Count < CatchUpPageSize)
                    {
                        break;
                    }

                    // A long absence must not fill the queue past its limit: read on once this page is on its way.
                    await connection.FlushAsync();
                    after = page.Events[^1].Position;
                }
            }
            finally
            {
                _registry.EndCatchUp(connection);
            }
        }

        var online = await _presence.JoinedAsync(connection.Id, connection.UserId, joined, cancellationToken);
        await AnnouncePresenceAsync(online, connection.UserId, true);
        // The answer travels outside the connection's queue: send it only once the catch-up is on the wire before it.
        await connection.FlushAsync();
        return new SubscribeResult(true, null, position, resetRequired, joined, refused);
    }

    internal async Task<JoinResult> JoinAsync(HubCallerContext context, IServiceProvider services, string group)
    {
        var connection = Require(context);
        var cancellationToken = context.ConnectionAborted;
        if (!connection.Subscribed)
        {
            return new JoinResult(false, RealtimeCodes.NotSubscribed, group, 0, []);
        }

        if (!await CanJoinAsync(connection, group, services, cancellationToken))
        {
            return new JoinResult(false, RealtimeCodes.GroupNotFound, group, 0, []);
        }

        if (_registry.Join(connection, group, _options.MaxGroupsPerConnection) is not { } position)
        {
            return new JoinResult(false, RealtimeCodes.TooManyGroups, group, 0, []);
        }

        var online = await _presence.JoinedAsync(connection.Id, connection.UserId, [group], cancellationToken);
        await AnnouncePresenceAsync(online, connection.UserId, true);
        return new JoinResult(true, null, group, position, await _presence.OnlineUsersAsync(group, cancellationToken));
    }

    internal async Task<RealtimeResult> LeaveAsync(HubCallerContext context, string group)
    {
        var connection = Require(context);
        if (!_registry.Leave(connection, group))
        {
            return new RealtimeResult(false, RealtimeCodes.NotAMember);
        }

        await LeftAsync(connection, group, context.ConnectionAborted);
        return new RealtimeResult(true, null);
    }

    internal async Task<RealtimeResult> TypingAsync(HubCallerContext context, string group, bool isTyping)
    {
        var connection = Require(context);
        if (!_registry.IsMember(connection, group))
        {
            return new RealtimeResult(false, RealtimeCodes.NotAMember);
        }

        var now = _clock.GetUtcNow();
        if (connection.Typing.TryGetValue(group, out var last) && last.IsTyping == isTyping && now - last.At < _options.TypingThrottle)
        {
            return new RealtimeResult(true, null);
        }

        connection.Typing[group] = (isTyping, now);
        await SendTypingAsync(connection, group, isTyping, context.ConnectionAborted);
        return new RealtimeResult(true, null);
    }

    internal async Task<PresenceResult> PresenceAsync(HubCallerContext context, string group)
    {
        var connection = Require(context);
        if (!_registry.IsMember(connection, group))
        {
            return new PresenceResult(false, RealtimeCodes.NotAMember, group, []);
        }

        return new PresenceResult(true, null, group, await _presence.OnlineUsersAsync(group, context.ConnectionAborted));
    }

    /// <summary>Re-creates this instance's presence rows after its instance row was swept (a stall longer than the timeout).</summary>
    internal async Task ReRegisterAsync(CancellationToken cancellationToken)
    {
        await _presence.RegisterInstanceAsync(cancellationToken);
        foreach (var (connection, groups) in _registry.Snapshot())
        {
            await _presence.ConnectedAsync(connection.Id, connection.UserId, cancellationToken);
            // Those groups were told the user went offline when the rows were swept: tell them the user is back.
            await AnnouncePresenceAsync(await _presence.JoinedAsync(connection.Id, connection.UserId, groups, cancellationToken), connection.UserId, true);
            if (_registry.Get(connection.Id) is null)
            {
                // It disconnected meanwhile, possibly before the rows above were written: do not leave them behind.
                await AnnouncePresenceAsync(await _presence.DisconnectedAsync(connection.Id, connection.UserId, cancellationToken), connection.UserId, false);
            }
        }
    }

    internal async Task AnnouncePresenceAsync(IReadOnlyList<string> groups, Guid userId, bool online)
    {
        foreach (var group in groups.Where(_kinds.AnnouncesPresence))
        {
            var payload = JsonSerializer.SerializeToElement(new { group, user_id = userId, online }, EventEnvelope.Json);
            await _bus.SendAsync(group, RealtimeEvents.PresenceChanged, payload, null, CancellationToken.None);
        }
    }

    private async Task OnRemovedAsync(RealtimeConnection connection, string group)
    {
        try
        {
            await LeftAsync(connection, group, CancellationToken.None);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogPresenceFailed(_logger, e.GetType().Name);
        }
    }

    private async Task LeftAsync(RealtimeConnection connection, string group, CancellationToken cancellationToken)
    {
        if (connection.Typing.TryRemove(group, out var typing) && typing.IsTyping)
        {
            await SendTypingAsync(connection, group, false, cancellationToken);
        }

        var offline = await _presence.LeftAsync(connection.Id, connection.UserId, [group], cancellationToken);
        await AnnouncePresenceAsync(offline, connection.UserId, false);
    }

    private Task SendTypingAsync(RealtimeConnection connection, string group, bool isTyping, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToElement(new { group, user_id = connection.UserId, is_typing = isTyping }, EventEnvelope.Json);
        return _bus.SendAsync(group, RealtimeEvents.TypingChanged, payload, connection.Id, cancellationToken);
    }

    private async Task<bool> CanJoinAsync(RealtimeConnection connection, string group, IServiceProvider services, CancellationToken cancellationToken)
    {
        // The personal stream is implicit, unknown kinds are nobody's: both are refused like a group that does not exist.
        if (!EventAudience.TryParse(group, out var kind, out var id) || kind == EventAudience.UserKind || !_kinds.Known.Contains(kind))
        {
            return false;
        }

        var authorizer = services.GetRequiredKeyedService<IGroupAuthorizer>(kind);
        return await authorizer.CanJoinAsync(connection.User, id, cancellationToken);
    }

    private RealtimeConnection Require(HubCallerContext context) =>
        _registry.Get(context.ConnectionId) ?? throw new HubException("The connection is closing.");

    private static void RequireGroup(string group)
    {
        if (!EventAudience.TryParse(group, out var kind, out _) || kind == EventAudience.UserKind)
        {
            throw new ArgumentException($"'{group}' is not a group name ('kind:id').", nameof(group));
        }
    }

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Presence update failed ({Error})")]
    private static partial void LogPresenceFailed(ILogger logger, string error);
}
