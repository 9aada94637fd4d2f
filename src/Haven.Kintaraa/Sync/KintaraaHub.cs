using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Audit;
using Haven.Platform.Identity;
using Haven.Platform.Realtime;
using Haven.Platform.Web;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa.Sync;

/// <summary>Arguments of <c>message.send</c>: the app's own id for the message makes a resend (after a reconnect) store it once.</summary>
public sealed record SendMessageRequest(Guid IncidentId, Guid? Id, string? Body);

/// <summary>Arguments of <c>status.update</c>.</summary>
public sealed record StatusUpdateRequest(Guid IncidentId, CaseStatus? Status, string? Reason);

/// <summary>Arguments of <c>message.mark_read</c>: everything in the case read, or up to one message.</summary>
public sealed record MarkReadRequest(Guid? IncidentId, Guid? MessageId);

/// <summary>
/// Answer of a Kintaraa hub call: <see cref="Ok"/> with the value, or the <see cref="Code"/> and <see cref="Status"/>
/// the REST API would have answered (a case the caller may not see is <c>not_found</c>, 404).
/// </summary>
public sealed record HubAnswer<T>(bool Ok, string? Code, int Status, string? Title, T? Value)
{
    public static HubAnswer<T> From(Outcome<T> outcome) => outcome.Error is { } error
        ? new(false, error.Code, error.Status, error.Title, default)
        : new(true, null, 200, null, outcome.Value);
}

/// <summary>
/// Kintaraa's hub at <c>/hubs/kintaraa</c>: everything <see cref="HavenHub"/> gives (personal stream, case groups
/// <c>kintaraa-case:&lt;id&gt;</c> joined under the API's row access, typing, presence, catch-up from a cursor) plus the
/// seed's client → server calls. Each call runs the same service as the REST endpoint, as the connection's user, so
/// its change, audit entries and outbox events commit together and reach every instance's clients.
/// </summary>
public sealed class KintaraaHub(HavenHubServices realtime, IServiceScopeFactory scopes) : HavenHub(realtime)
{
    public const string Path = "/hubs/kintaraa";

    /// <summary>Posts a chat message (idempotent on its id); the case group hears <c>message.received</c>.</summary>
    [HubMethodName(RealtimeEvents.MessageSend)]
    public async Task<HubAnswer<MessageView>> SendMessage(SendMessageRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Body) || request.Body.Length > 5000)
        {
            return HubAnswer<MessageView>.From(Errors.Validation("body", "Write 1 to 5000 characters."));
        }

        await using var scope = Scope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ChatService>()
            .PostAsync(request.IncidentId, new PostMessageRequest(request.Id, request.Body), Context.ConnectionAborted);
        return HubAnswer<MessageView>.From(outcome.Error ?? (Outcome<MessageView>)outcome.Value.Message);
    }

    /// <summary>Moves a case through its lifecycle; participants, the case group and coordinators hear <c>status.changed</c>.</summary>
    [HubMethodName(RealtimeEvents.StatusUpdate)]
    public async Task<HubAnswer<IncidentDetail>> UpdateStatus(StatusUpdateRequest request)
    {
        if (request.Status is not { } status || request.Reason is { Length: > 500 })
        {
            return HubAnswer<IncidentDetail>.From(Errors.Validation("status", "Name the new status (and a reason of at most 500 characters)."));
        }

        await using var scope = Scope();
        return HubAnswer<IncidentDetail>.From(await scope.ServiceProvider.GetRequiredService<IncidentService>()
            .ChangeStatusAsync(request.IncidentId, status, request.Reason, Context.ConnectionAborted));
    }

    /// <summary>Read receipts: moves the caller's read cursor; the case group hears <c>message.read</c>.</summary>
    [HubMethodName("message.mark_read")]
    public async Task<HubAnswer<ReadState>> MarkRead(MarkReadRequest request)
    {
        if (request.IncidentId is null == request.MessageId is null)
        {
            return HubAnswer<ReadState>.From(Errors.Validation("incident_id", "Name either the case or the last message read."));
        }

        await using var scope = Scope();
        return HubAnswer<ReadState>.From(await scope.ServiceProvider.GetRequiredService<ChatService>()
            .MarkReadAsync(request.MessageId, request.IncidentId, Context.ConnectionAborted));
    }

    /// <summary>A scope whose Kintaraa caller and audit actor are the connection's user (hub calls run outside any HTTP request).</summary>
    private AsyncServiceScope Scope()
    {
        var scope = scopes.CreateAsyncScope();
        var user = CurrentUser;
        scope.ServiceProvider.GetRequiredService<RealtimeCaller>().User = user;
        scope.ServiceProvider.GetRequiredService<CaseJournal>().Actor =
            new AuditActor(AuditActor.UserType, user.UserId, user.SessionId, null, [.. user.Roles.Select(r => r.ToClaimValue())]);
        return scope;
    }
}

/// <summary>The user of the hub call a scope serves; <see cref="KintaraaCaller"/> prefers it to the HTTP request's user.</summary>
public sealed class RealtimeCaller
{
    public ICurrentUser? User { get; set; }
}
