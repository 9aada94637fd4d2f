using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Cases;

/// <summary>Builds what a caller is shown of a case: the survivor and admins see all of it, a provider what their work needs.</summary>
public sealed class CaseReader(KintaraaDbContext db, KintaraaCaller caller, SurvivorNames survivors)
{
    public async Task<IncidentDetail> DetailAsync(CaseView view, CancellationToken cancellationToken)
    {
        var incident = view.Incident;
        var consents = await db.Consents.AsNoTracking().Where(c => c.IncidentId == incident.Id).OrderBy(c => c.RecordedAt).ToListAsync(cancellationToken);
        var referrals = await db.Referrals.AsNoTracking().Where(r => r.IncidentId == incident.Id).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        var providerIds = referrals.Where(r => r.ProviderId != null).Select(r => r.ProviderId!.Value).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);

        var visibleReferrals = view.Relation switch
        {
            CaseRelation.Provider => referrals.Where(r => r.ProviderId == view.Provider!.Id && r.IsActive),
            _ => referrals,
        };
        var careTeam = referrals.Where(r => r.Status == ReferralStatus.Accepted && r.ProviderId is not null)
            .Select(r => providers[r.ProviderId!.Value] is var p ? new CareTeamMember(p.ProviderType, p.DisplayName, p.Organisation, r.Service) : null!)
            .ToList();
        var (messages, unread) = view.IsParticipant ? await MessageCountsAsync(incident.Id, cancellationToken) : (0, 0);

        return new IncidentDetail(
            incident.Id, incident.CaseNumber, incident.Handle, incident.Type, incident.Status, incident.Priority, incident.Severity,
            incident.Source, incident.IsAnonymous, incident.SupportServices, incident.IncidentDate, incident.IncidentTime,
            incident.Description,
            incident.Location is { } l ? new LocationView(l.Latitude, l.Longitude, l.Address, l.Description, incident.LocationPrecision) : null,
            new SurvivorView(incident.Handle, await survivors.DisplayNameAsync(incident, cancellationToken)),
            [.. consents.Select(c => new ConsentView(c.Service, c.Granted, c.Method, c.RecordedByRole, c.RecordedAt, c.Note))],
            [.. visibleReferrals.Select(r => ToView(r, providers, view.Relation == CaseRelation.Admin))],
            careTeam,
            incident.LegalHoldAt is { } since ? new LegalHoldView(incident.LegalHoldReason ?? "", since) : null,
            AllowedTransitions(view),
            messages,
            unread,
            incident.CreatedAt,
            incident.UpdatedAt,
            incident.Version);
    }

    public static IReadOnlyList<CaseStatus> AllowedTransitions(CaseView view)
    {
        if (view.Relation == CaseRelation.Provider && !view.IsWorkingProvider)
        {
            return [];
        }

        // Only the transitions people make through the status endpoint; the system's own moves are not offered.
        return [.. CaseLifecycle.TargetsFor(view.Incident.Status, view.Actor).Where(s => s is CaseStatus.Completed or CaseStatus.Closed)];
    }

    public static ReferralView ToView(Referral r, IReadOnlyDictionary<Guid, Provider> providers, bool withRouting) => new(
        r.Id, r.Service, r.ProviderType,
        r.ProviderId is { } id && providers.TryGetValue(id, out var p) ? new ProviderBrief(p.Id, p.ProviderType, p.DisplayName, p.Organisation, p.Phone) : null,
        r.Kind, r.Status, r.ProviderId is null && r.Status == ReferralStatus.Pending, r.Attempt, r.CreatedAt, r.OfferedAt, r.RespondBy,
        r.RespondedAt, r.CompletedAt, r.RevokedAt, r.DeclineCode, r.DeclineReason, r.RevokeReason, r.Note, r.Rating,
        withRouting ? new RoutingView(r.Score, r.DistanceKm, r.Routing) : null);

    /// <summary>How many messages the case has, and how many of them the caller has not read (their own excluded).</summary>
    public async Task<(int Total, int Unread)> MessageCountsAsync(Guid incidentId, CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        var lastRead = await db.ReadCursors.Where(c => c.IncidentId == incidentId && c.UserId == me).Select(c => (long?)c.LastReadSeq).FirstOrDefaultAsync(cancellationToken) ?? 0;
        var total = await db.Messages.CountAsync(m => m.IncidentId == incidentId, cancellationToken);
        var unread = await db.Messages.CountAsync(m => m.IncidentId == incidentId && m.Seq > lastRead && m.SenderId != me, cancellationToken);
        return (total, unread);
    }

    /// <summary>Unread counts for a page of cases in one query.</summary>
    public async Task<Dictionary<Guid, int>> UnreadCountsAsync(IReadOnlyCollection<Guid> incidentIds, CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        var rows = await (
                from m in db.Messages
                where incidentIds.Contains(m.IncidentId) && m.SenderId != me
                join c in db.ReadCursors.Where(c => c.UserId == me) on m.IncidentId equals c.IncidentId into cursors
                from c in cursors.DefaultIfEmpty()
                where m.Seq > (c == null ? 0 : c.LastReadSeq)
                group m by m.IncidentId into g
                select new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Key, r => r.Count);
    }

    public static IncidentSummary Summary(Incident i, int unread) => new(
        i.Id, i.CaseNumber, i.Handle, i.Type, i.Status, i.Priority, i.Severity, i.Source, i.IsAnonymous, i.SupportServices,
        i.LegalHoldAt is not null, i.CreatedAt, i.UpdatedAt, unread);
}
