using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>Who should hear about a case event.</summary>
public sealed record EventAudience(IReadOnlyList<Guid> Users, bool Admins = false)
{
    public static EventAudience To(params Guid?[] users) => new([.. users.Where(u => u is not null).Select(u => u!.Value).Distinct()]);
}

/// <summary>
/// Everything a case change leaves behind, written in the same unit of work as the change itself: an audit entry, a
/// system message in the case chat, and events for realtime pushes and notifications.
/// </summary>
public sealed class CaseJournal(KintaraaDbContext db, TimeProvider clock)
{
    private readonly List<(string Action, string Resource, Guid Id, object? Data)> _audit = [];
    private readonly List<(string Type, object Payload, EventAudience Audience)> _events = [];

    public IReadOnlyList<(string Action, string Resource, Guid Id, object? Data)> PendingAudit => _audit;

    public IReadOnlyList<(string Type, object Payload, EventAudience Audience)> PendingEvents => _events;

    /// <summary>Posts a system message in the case's conversation.</summary>
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
        return message;
    }

    /// <summary>Records an audit entry (action names read <c>kintaraa.case.created</c>, <c>kintaraa.referral.accepted</c>...).</summary>
    public void Audit(string action, string resource, Guid id, object? data = null) => _audit.Add((action, resource, id, data));

    /// <summary>Queues an event for the participants' realtime streams and notifications.</summary>
    public void Publish(string type, object payload, EventAudience audience) => _events.Add((type, payload, audience));

    /// <summary>Writes the queued audit entries and events inside the caller's transaction.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        _audit.Clear();
        _events.Clear();
        return Task.CompletedTask;
    }

    /// <summary>Forgets what was queued (the transaction rolled back).</summary>
    public void Discard()
    {
        _audit.Clear();
        _events.Clear();
    }
}
