using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Cases;

/// <summary>Why the caller may see a case.</summary>
public enum CaseRelation
{
    /// <summary>The survivor who reported it.</summary>
    Survivor,

    /// <summary>A provider holding an active (pending or accepted) referral of it.</summary>
    Provider,

    /// <summary>A Kintaraa or platform admin.</summary>
    Admin,
}

/// <summary>A case as one caller may see it.</summary>
public sealed record CaseView(Incident Incident, CaseRelation Relation, Provider? Provider, IReadOnlyList<Referral> ProviderReferrals)
{
    /// <summary>The caller is a provider who accepted part of the case (and so works it: chat, evidence, notes).</summary>
    public bool IsWorkingProvider => Relation == CaseRelation.Provider && ProviderReferrals.Any(r => r.Status == ReferralStatus.Accepted);

    /// <summary>May take part in the case's conversation, evidence and appointments.</summary>
    public bool IsParticipant => Relation is CaseRelation.Survivor or CaseRelation.Admin || IsWorkingProvider;

    public ParticipantRole Role => Relation switch
    {
        CaseRelation.Survivor => ParticipantRole.Survivor,
        CaseRelation.Provider => ParticipantRole.Provider,
        _ => ParticipantRole.Admin,
    };

    public CaseActor Actor => Relation switch
    {
        CaseRelation.Survivor => CaseActor.Survivor,
        CaseRelation.Provider => CaseActor.Provider,
        _ => CaseActor.Admin,
    };
}

public enum CaseAccessMode
{
    /// <summary>Looking: an admin's look is audited.</summary>
    Read,

    /// <summary>Changing: the incident row is locked for the caller's transaction, so changes to one case never interleave.</summary>
    Write,
}

/// <summary>
/// The one place that decides who sees which case. A survivor sees their own cases; a provider sees a case only while
/// they hold an active referral of it; admins see every case, and every admin look at a case is audited. Anyone else
/// gets nothing, which endpoints answer with 404: a case the caller may not see does not exist for them.
/// </summary>
public sealed class CaseAccess(KintaraaDbContext db, KintaraaCaller caller, CaseJournal journal)
{
    /// <summary>The case if the caller may see it; with <see cref="CaseAccessMode.Write"/> call inside a transaction.</summary>
    public async Task<CaseView?> FindAsync(Guid incidentId, CaseAccessMode mode, CancellationToken cancellationToken)
    {
        var incident = mode == CaseAccessMode.Write
            ? (await db.Incidents.FromSql($"SELECT * FROM kintaraa.incidents WHERE id = {incidentId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault()
            : await db.Incidents.FirstOrDefaultAsync(i => i.Id == incidentId, cancellationToken);
        if (incident is null)
        {
            return null;
        }

        return await ViewAsync(incident, mode, cancellationToken);
    }

    /// <summary>The caller's view of an incident already loaded, or null when they may not see it.</summary>
    public async Task<CaseView?> ViewAsync(Incident incident, CaseAccessMode mode, CancellationToken cancellationToken)
    {
        if (caller.IsSurvivor && incident.SurvivorId == caller.UserId)
        {
            return new CaseView(incident, CaseRelation.Survivor, null, []);
        }

        if (caller.IsProvider && await caller.ProviderAsync(cancellationToken) is { } provider)
        {
            var referrals = await db.Referrals
                .Where(r => r.IncidentId == incident.Id && r.ProviderId == provider.Id
                            && (r.Status == ReferralStatus.Pending || r.Status == ReferralStatus.Accepted))
                .ToListAsync(cancellationToken);
            if (referrals.Count > 0)
            {
                return new CaseView(incident, CaseRelation.Provider, provider, referrals);
            }
        }

        if (caller.IsAdmin)
        {
            if (mode == CaseAccessMode.Read)
            {
                journal.Audit("kintaraa.case.viewed_by_admin", "incident", incident.Id, new { incident.CaseNumber });
            }

            return new CaseView(incident, CaseRelation.Admin, null, []);
        }

        return null;
    }

    /// <summary>The cases the caller may list: their own, those referred to them (active referrals), or all for admins.</summary>
    public async Task<IQueryable<Incident>> VisibleAsync(CancellationToken cancellationToken)
    {
        if (caller.IsAdmin)
        {
            return db.Incidents;
        }

        var me = caller.UserId;
        var provider = caller.IsProvider ? await caller.ProviderAsync(cancellationToken) : null;
        var providerId = provider?.Id;
        var survivor = caller.IsSurvivor;
        return db.Incidents.Where(i =>
            (survivor && i.SurvivorId == me)
            || (providerId != null && db.Referrals.Any(r => r.IncidentId == i.Id && r.ProviderId == providerId
                                                             && (r.Status == ReferralStatus.Pending || r.Status == ReferralStatus.Accepted))));
    }
}
