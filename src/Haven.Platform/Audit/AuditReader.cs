using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Audit;

/// <summary>
/// Reading the audit trail as the signed-in admin may (<see cref="AuditScope"/>): search, one entry, and verifying the
/// chain with the verification itself recorded. Shared by the audit API and the modules' admin portals.
/// </summary>
public sealed class AuditReader(PlatformDbContext db, ICurrentUser user, AuditVerifier verifier, IAuditTrail audit)
{
    public AuditScope Scope { get; } = AuditScope.Of(user);

    /// <summary>Entries newest first; a validation problem, or 404 for a tenant outside the caller's scope.</summary>
    public async Task<(AuditPage? Page, Error? Error)> SearchAsync(AuditSearch search, CancellationToken cancellationToken)
    {
        var page = search.Page ?? 1;
        var pageSize = search.PageSize ?? 50;
        if (new FieldErrors()
                .When(page < 1, "page", "Pages start at 1.")
                .When(pageSize is < 1 or > 100, "page_size", "Page size is 1 to 100.")
                .When(search.From > search.To, "from", "'from' is after 'to'.")
                .AsError() is { } invalid)
        {
            return (null, invalid);
        }

        if (search.TenantId is { } wanted && !Scope.IsPlatformAdmin && Scope.Modules.Count == 0 && !Scope.Tenants.Contains(wanted))
        {
            return (null, Errors.NotFound("Tenant"));
        }

        var query = Scope.Filter(db.Set<AuditEntry>().AsNoTracking());

        if (search.TenantId is { } tenant)
        {
            query = query.Where(e => e.TenantId == tenant);
        }

        if (!string.IsNullOrEmpty(search.Action))
        {
            var prefix = search.Action + ".";
            query = query.Where(e => e.Action == search.Action || e.Action.StartsWith(prefix));
        }

        if (!string.IsNullOrEmpty(search.ResourceType))
        {
            query = query.Where(e => e.ResourceType == search.ResourceType);
        }

        if (!string.IsNullOrEmpty(search.ResourceId))
        {
            query = query.Where(e => e.ResourceId == search.ResourceId);
        }

        if (search.ActorId is { } actor)
        {
            query = query.Where(e => e.ActorId == actor);
        }

        if (search.From is { } from)
        {
            query = query.Where(e => e.OccurredAt >= from.ToUniversalTime());
        }

        if (search.To is { } to)
        {
            query = query.Where(e => e.OccurredAt <= to.ToUniversalTime());
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.Seq).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return (new AuditPage([.. items.Select(AuditEntryResponse.From)], total, page, pageSize), null);
    }

    /// <summary>One entry, or null when it does not exist or lies outside the caller's scope (the two look the same).</summary>
    public async Task<AuditEntryResponse?> GetAsync(long seq, CancellationToken cancellationToken)
    {
        var entry = await db.Set<AuditEntry>().AsNoTracking().SingleOrDefaultAsync(e => e.Seq == seq, cancellationToken);
        return entry is not null && Scope.Covers(entry) ? AuditEntryResponse.From(entry) : null;
    }

    /// <summary>Walks the chain (or a range) and records that it was verified, with the outcome, in the trail itself.</summary>
    public async Task<AuditVerification> VerifyAsync(long? fromSeq, long? toSeq, IReadOnlyList<AuditAnchor> anchors, CancellationToken cancellationToken)
    {
        var result = await verifier.VerifyAsync(fromSeq, toSeq, anchors, cancellationToken);
        await audit.AppendAsync(new AuditEvent("platform.audit.verified", "audit_chain", null)
        {
            Note = result.Intact ? $"entries {result.FromSeq}-{result.ToSeq} intact" : $"broken at entry {result.Break!.Seq} ({result.Break.Kind})",
        }, cancellationToken);
        return result;
    }
}
