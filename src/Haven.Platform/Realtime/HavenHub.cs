using Haven.Platform.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;

namespace Haven.Platform.Realtime;

/// <summary>
/// Base of every Haven hub. Gives each connection its personal stream, groups joined through the module's
/// <see cref="IGroupAuthorizer"/>, catch-up from a cursor, presence and typing. A module adds its own client → server
/// calls, named after the seed's events:
/// <code>
/// public sealed class KintaraaHub(HavenHubServices realtime, KintaraaDbContext db, IOutbox outbox) : HavenHub(realtime)
/// {
///     [HubMethodName(RealtimeEvents.MessageSend)]
///     public async Task&lt;SendMessageResult&gt; SendMessage(SendMessageRequest request) { … CurrentUser … outbox … }
/// }
/// </code>
/// and maps it with <see cref="HavenHubEndpoints.MapHavenHub{THub}"/>. Protocol for clients: connect (WebSockets,
/// <c>access_token</c> in the query string), call <c>subscribe({cursor, groups})</c> first, then <c>join</c>/<c>leave</c>,
/// <c>typing(group, is_typing)</c>, <c>presence(group)</c>. Stored events arrive as invocations named by their type
/// carrying a <see cref="RealtimeMessage"/>; keep the highest <c>position</c> as the cursor for the next subscribe.
/// </summary>
public abstract class HavenHub(HavenHubServices realtime) : Hub
{
    private HubCurrentUser? _user;

    /// <summary>The connection's user, from the principal it authenticated with.</summary>
    protected ICurrentUser CurrentUser => _user ??= new HubCurrentUser(Context.User, Context.GetHttpContext());

    public override async Task OnConnectedAsync()
    {
        await realtime.Service.ConnectAsync(Context, Clients.Caller);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await realtime.Service.DisconnectAsync(Context);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>Starts delivery: catches up from the cursor over the personal stream and the requested groups, then goes live.</summary>
    [HubMethodName(RealtimeEvents.Subscribe)]
    public Task<SubscribeResult> Subscribe(SubscribeRequest request) => realtime.Service.SubscribeAsync(Context, realtime.Services, request);

    /// <summary>Joins a group (refused with <c>group_not_found</c> when the authorizer says no); its events arrive live from now.</summary>
    [HubMethodName(RealtimeEvents.Join)]
    public Task<JoinResult> Join(string group) => realtime.Service.JoinAsync(Context, realtime.Services, group);

    [HubMethodName(RealtimeEvents.Leave)]
    public Task<RealtimeResult> Leave(string group) => realtime.Service.LeaveAsync(Context, group);

    /// <summary>Tells the group's other members this user started or stopped typing (ephemeral).</summary>
    [HubMethodName(RealtimeEvents.Typing)]
    public Task<RealtimeResult> Typing(string group, bool isTyping) => realtime.Service.TypingAsync(Context, group, isTyping);

    /// <summary>Who is online in a group the connection has joined, across all instances.</summary>
    [HubMethodName(RealtimeEvents.Presence)]
    public Task<PresenceResult> Presence(string group) => realtime.Service.PresenceAsync(Context, group);
}

/// <summary>What <see cref="HavenHub"/> needs, as one constructor argument for derived hubs (resolved per hub call).</summary>
public sealed class HavenHubServices
{
    internal HavenHubServices(RealtimeService service, IServiceProvider services)
    {
        Service = service;
        Services = services;
    }

    internal RealtimeService Service { get; }

    /// <summary>The hub call's scope, in which group authorizers are resolved.</summary>
    internal IServiceProvider Services { get; }
}

/// <summary>The platform's own hub at <c>/hubs/platform</c>: personal stream (notifications), groups, presence, typing.</summary>
public sealed class PlatformHub(HavenHubServices realtime) : HavenHub(realtime)
{
    public const string Path = "/hubs/platform";
}

public static class HavenHubEndpoints
{
    /// <summary>
    /// Maps a hub under <c>/hubs/</c> (where the access token is accepted from the query string, as browsers' WebSocket
    /// API cannot send headers), WebSockets only (no sticky sessions needed behind a load balancer), for signed-in
    /// users only, closing the connection when its access token expires.
    /// </summary>
    public static HubEndpointConventionBuilder MapHavenHub<THub>(this IEndpointRouteBuilder endpoints, string pattern) where THub : HavenHub
    {
        if (!pattern.StartsWith("/hubs/", StringComparison.Ordinal))
        {
            throw new ArgumentException("Haven hubs live under /hubs/ (the only paths where an access token is read from the query string).", nameof(pattern));
        }

        var builder = endpoints.MapHub<THub>(pattern, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.CloseOnAuthenticationExpiration = true;
        });
        builder.RequireAuthorization(HavenPolicies.SignedIn);
        return builder;
    }
}
