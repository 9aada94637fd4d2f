using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Routing;

/// <summary>A verified provider an admin may choose for a queued referral, with their free places.</summary>
public sealed record AssignableProvider(Guid Id, string DisplayName, string Organisation, int Capacity, int Caseload, bool IsAvailable)
{
    public int FreePlaces => Math.Max(0, Capacity - Caseload);
}

/// <summary>
/// The coordinators' side of routing, shared by the API and the admin portal: the queue of referrals no provider could
/// take, assigning a service of a case to a chosen provider, and routing a queued referral again. Each change runs in
/// one <see cref="CaseTransactions"/> unit with the case locked, through <see cref="ReferralService"/>.
/// </summary>
public sealed class ReferralQueue(KintaraaDbContext db, CaseAccess access, ReferralService referrals, CaseTransactions transactions, KintaraaCaller caller)
{
    public const int Limit = 200;

    /// <summary>Referrals waiting for a provider, oldest first, with the routing reasons.</summary>
    public async Task<List<QueuedReferral>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Referrals.AsNoTracking()
            .Where(r => r.Status == ReferralStatus.Pending && r.ProviderId == null)
            .Join(db.Incidents, r => r.IncidentId, i => i.Id, (r, i) => new { r, i.CaseNumber, i.Priority })
            .OrderBy(x => x.r.CreatedAt).Take(Limit)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(x => new QueuedReferral(x.r.Id, x.r.IncidentId, x.CaseNumber, x.r.Service, x.r.ProviderType, x.Priority,
            x.r.CreatedAt, x.r.QueuedAt, x.r.Routing))];
    }

    public async Task<QueuedReferral?> FindAsync(Guid referralId, CancellationToken cancellationToken) =>
        (await db.Referrals.AsNoTracking()
            .Where(r => r.Id == referralId && r.Status == ReferralStatus.Pending && r.ProviderId == null)
            .Join(db.Incidents, r => r.IncidentId, i => i.Id, (r, i) => new { r, i.CaseNumber, i.Priority })
            .ToListAsync(cancellationToken))
        .Select(x => new QueuedReferral(x.r.Id, x.r.IncidentId, x.CaseNumber, x.r.Service, x.r.ProviderType, x.Priority, x.r.CreatedAt, x.r.QueuedAt, x.r.Routing))
        .SingleOrDefault();

    /// <summary>Verified providers of a type, those with a free place first.</summary>
    public async Task<List<AssignableProvider>> CandidatesAsync(ProviderType type, CancellationToken cancellationToken) =>
        await db.Providers.AsNoTracking().Where(p => p.ProviderType == type && p.IsVerified)
            .OrderByDescending(p => p.IsAvailable && p.Caseload < p.Capacity).ThenBy(p => p.Organisation).ThenBy(p => p.DisplayName)
            .Select(p => new AssignableProvider(p.Id, p.DisplayName, p.Organisation, p.Capacity, p.Caseload, p.IsAvailable))
            .Take(Limit).ToListAsync(cancellationToken);

    /// <summary>Assigns a service of a case to a chosen provider; the survivor must have consented to that service.</summary>
    public Task<Outcome<CaseView>> AssignAsync(Guid incidentId, SupportService service, Guid providerId, string? note, CancellationToken cancellationToken) =>
        transactions.RunAsync<CaseView>(async ct =>
        {
            var view = await access.FindAsync(incidentId, CaseAccessMode.Write, ct);
            if (view is null)
            {
                return IncidentService.IncidentNotFound;
            }

            if (view.Incident.Status == CaseStatus.Closed)
            {
                return ReferralService.CaseClosed;
            }

            var consents = await referrals.CurrentConsentsAsync(incidentId, ct);
            if (!consents.TryGetValue(service, out var consent) || !consent.Granted)
            {
                return ReferralService.ConsentRequired(service);
            }

            var assigned = await referrals.AssignAsync(view.Incident, service, providerId, caller.UserId, note, ct);
            if (assigned.Error is { } error)
            {
                return error;
            }

            await referrals.ReconcileAsync(view.Incident, CaseActor.System, ct);
            return view;
        }, cancellationToken);

    /// <summary>Runs routing again for a queued referral now (a provider may have come on shift); true when a provider was offered it.</summary>
    public Task<Outcome<bool>> RerouteAsync(Guid referralId, CancellationToken cancellationToken) =>
        transactions.RunAsync<bool>(async ct =>
        {
            var incidentId = await db.Referrals.Where(r => r.Id == referralId).Select(r => (Guid?)r.IncidentId).FirstOrDefaultAsync(ct);
            var view = incidentId is { } id ? await access.FindAsync(id, CaseAccessMode.Write, ct) : null;
            if (view is null)
            {
                return ReferralService.ReferralNotFound;
            }

            var referral = await db.Referrals.FirstAsync(r => r.Id == referralId, ct);
            if (referral.Status != ReferralStatus.Pending || referral.ProviderId is not null)
            {
                return Errors.Conflict("not_queued", "The referral is no longer waiting in the queue.");
            }

            return await referrals.RetryQueuedAsync(referral, view.Incident, ct);
        }, cancellationToken);
}
