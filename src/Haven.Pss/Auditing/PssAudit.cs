using Haven.Platform.Audit;
using Haven.Pss.Data;

namespace Haven.Pss.Auditing;

/// <summary>What PSS reports to the audit trail: an action on a record, in the candidate's programme.</summary>
public sealed record PssAuditEvent(string Action, string ResourceType, string? ResourceId, Guid? TenantId, string? Note = null)
{
    public PssAuditEvent(string action, string resourceType, Guid resourceId, Guid? tenantId, string? note = null)
        : this(action, resourceType, resourceId.ToString("D"), tenantId, note)
    {
    }
}

/// <summary>
/// PSS's way onto the platform's hash-chained audit trail. Every write commits with its entry (or neither commits);
/// every sensitive read — a medical profile, intake answers, a staff member reading a journal, an export — appends an
/// entry of its own. The entry names the candidate's programme, so the programme's admins can read it.
/// </summary>
public sealed class PssAudit(IAuditTrail trail)
{
    public Task ReadAsync(PssAuditEvent auditEvent, CancellationToken cancellationToken) => trail.AppendAsync(ToEvent(auditEvent, null), cancellationToken);

    /// <summary>
    /// Saves the context's pending changes and the entry atomically. With <paramref name="changed"/>, the entry records
    /// its changed fields (encrypted ones as "changed", never their values).
    /// </summary>
    public Task<int> SaveChangesAsync(PssDbContext db, PssAuditEvent auditEvent, CancellationToken cancellationToken, object? changed = null) =>
        trail.SaveChangesAsync(db, ToEvent(auditEvent, changed is null ? null : AuditChanges.Of(db.Entry(changed))), cancellationToken);

    /// <summary>Adds an entry to the context's open transaction, recording <paramref name="changed"/>'s pending changes now (call before saving).</summary>
    public Task AppendAsync(PssDbContext db, PssAuditEvent auditEvent, object changed, CancellationToken cancellationToken) =>
        trail.AppendAsync(db, ToEvent(auditEvent, AuditChanges.Of(db.Entry(changed))), cancellationToken);

    private static AuditEvent ToEvent(PssAuditEvent e, AuditChanges? changes) =>
        new(e.Action, e.ResourceType, e.ResourceId) { TenantId = e.TenantId, Note = e.Note, Changes = changes ?? new AuditChanges() };
}
