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
/// SEAM(kernel audit trail): every PSS write and every sensitive read goes through here. Once the kernel's hash-chained
/// <c>IAuditTrail</c> is on main, writes append their entry inside the same transaction and reads append one of their own.
/// </summary>
public sealed class PssAudit
{
    /// <summary>A sensitive read (medical profile, intake answers, a staff member reading a journal, an export).</summary>
    public Task ReadAsync(PssAuditEvent auditEvent, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Saves the context's pending changes and the entry atomically.</summary>
    public Task<int> SaveChangesAsync(PssDbContext db, PssAuditEvent auditEvent, CancellationToken cancellationToken) =>
        db.SaveChangesAsync(cancellationToken);
}
