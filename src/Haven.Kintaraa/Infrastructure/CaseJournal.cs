using System.Text.Json;
using Haven.Kintaraa.Data;
using Haven.Platform.Audit;
using Haven.Platform.Events;
using Haven.Platform.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>
/// Who hears about a case event: users' personal streams, the case's realtime group (its participants with the case
/// open), and the coordinators' group. Built into platform audience names.
/// </summary>
public sealed record Recipients(IReadOnlyList<Guid> Users, Guid? Case = null, bool Admins = false)
{
    /// <summary>Realtime group of one case: <c>kintaraa-case:&lt;incident id&gt;</c>.</summary>
    public const string CaseGroupKind = "kintaraa-case";

    /// <summary>Realtime group of the coordinators (Kintaraa and platform admins): <c>kintaraa-admins:all</c>.</summary>
    public const string AdminGroupKind = "kintaraa-admins";

    public const string AdminGroupId = "all";

    public static Recipients To(params Guid?[] users) => new([.. users.Where(u => u is not null).Select(u => u!.Value).Distinct()]);

    public static Recipients Coordinators { get; } = new([], Admins: true);

    public IReadOnlyList<string> Audience() =>
    [
        .. Users.Distinct().Select(EventAudience.User),
        .. Case is { } id ? [EventAudience.Group(CaseGroupKind, id)] : Array.Empty<string>(),
        .. Admins ? [EventAudience.Group(AdminGroupKind, AdminGroupId)] : Array.Empty<string>(),
    ];
}

/// <summary>Kintaraa's notification categories (users choose push per category).</summary>
public static class KintaraaNotifications
{
    public static readonly NotificationCategory Assignment = new("kintaraa.assignment", "New referrals offered to you");
    public static readonly NotificationCategory Message = new("kintaraa.message", "Messages in your cases");
    public static readonly NotificationCategory CaseUpdate = new("kintaraa.case_update", "Changes to your cases");
    public static readonly NotificationCategory Reminder = new("kintaraa.reminder", "Appointment and court date reminders");

    public static readonly IReadOnlyList<NotificationCategory> All = [Assignment, Message, CaseUpdate, Reminder];

    public static string CaseLink(Guid incidentId) => $"/kintaraa/cases/{incidentId}";
}

/// <summary>
/// Everything a case change leaves behind, written in the same transaction as the change itself: audit entries,
/// system messages in the case chat, realtime events (through the platform outbox) and notifications. Nothing is
/// sent for a change that rolls back. Event and notification text never carries case content (descriptions,
/// message bodies): events are stored and pushes reach lock screens; clients fetch the content through the API.
/// </summary>
public sealed class CaseJournal(KintaraaDbContext db, IOutbox outbox, INotifier notifier, IAuditTrail audit, TimeProvider clock)
{
    private readonly List<(string Action, string Resource, Guid Id, object? Data)> _audit = [];

    /// <summary>Who acts when no user does: a background job names itself here (<c>AuditActor.System("kintaraa.routing_sweep")</c>).</summary>
    public AuditActor? Actor { get; set; }
    private readonly List<EventEnvelope> _events = [];
    private readonly List<NotificationRequest> _notifications = [];

    /// <summary>Posts a system message in the case's conversation (and tells the case's open screens).</summary>
    public Message SystemMessage(Guid incidentId, string text)
    {
        var message = new Message
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            IncidentId = incidentId,
            SenderRole = ParticipantRole.System,
            Kind = MessageKind.System,
            Body = text,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Messages.Add(message);
        Publish("message.received", new { incident_id = incidentId, message_id = message.Id, sender_role = "system" }, new Recipients([], Case: incidentId));
        return message;
    }

    /// <summary>Records an audit entry (action names read <c>kintaraa.case.created</c>, <c>kintaraa.referral.accepted</c>...).</summary>
    public void Audit(string action, string resource, Guid id, object? data = null) => _audit.Add((action, resource, id, data));

    /// <summary>Queues an event for the recipients' realtime streams (and replay to clients that were away).</summary>
    public void Publish(string type, object payload, Recipients recipients)
    {
        var audience = recipients.Audience();
        if (audience.Count > 0)
        {
            _events.Add(EventEnvelope.Create(type, audience, payload));
        }
    }

    /// <summary>Queues an in-app notification (and push, as the user's preferences allow).</summary>
    public void Notify(Guid? userId, NotificationCategory category, string title, Guid incidentId, PushPrompt push = PushPrompt.Standard)
    {
        if (userId is { } id)
        {
            _notifications.Add(new NotificationRequest(id, category.Name, title, Link: KintaraaNotifications.CaseLink(incidentId)) { Push = push });
        }
    }

    /// <summary>Writes what was queued inside the caller's transaction, or in one of its own when there is none.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_audit.Count == 0 && _events.Count == 0 && _notifications.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is not null)
        {
            await WriteAsync(cancellationToken);
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await WriteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Forgets what was queued (the transaction rolled back).</summary>
    public void Discard()
    {
        _audit.Clear();
        _events.Clear();
        _notifications.Clear();
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        foreach (var (action, resource, id, data) in _audit)
        {
            // Staged on the transaction: the entries are chained in just before it commits, and vanish if it rolls back.
            await audit.AppendAsync(db, new AuditEvent(action, resource, id == Guid.Empty ? null : id.ToString("D"))
            {
                Note = data is null ? null : Truncate(JsonSerializer.Serialize(data, JsonColumn.Options), AuditEvent.MaxNoteLength),
                Actor = Actor,
            }, cancellationToken);
        }

        if (_events.Count > 0)
        {
            await outbox.EnqueueAsync(db, [.. _events], cancellationToken);
        }

        foreach (var notification in _notifications)
        {
            await notifier.NotifyAsync(db, notification, cancellationToken);
        }

        Discard();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
