using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Kintaraa.Routing;

/// <summary>
/// The periodic half of routing: offers nobody answered in time go to the next provider, and referrals waiting in the
/// admin queue are tried again (a provider may have come on shift or freed a place) and the admins reminded. Each
/// referral is handled in its own transaction with its case locked and its state re-checked, so overlapping runs (two
/// instances, a retried job) do each thing once.
/// </summary>
public sealed class RoutingSweep(KintaraaDbContext db, CaseTransactions transactions, ReferralService referrals, TimeProvider clock, IOptions<KintaraaOptions> options)
{
    private const int Batch = 200;

    public async Task<int> ExpireOverdueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await db.Referrals.AsNoTracking()
            .Where(r => r.Status == ReferralStatus.Pending && r.ProviderId != null && r.RespondBy <= now)
            .OrderBy(r => r.RespondBy).Select(r => new { r.Id, r.IncidentId }).Take(Batch).ToListAsync(cancellationToken);
        var expired = 0;
        foreach (var item in due)
        {
            var outcome = await transactions.RunAsync<bool>(async ct =>
            {
                var incident = await LockAsync(item.IncidentId, ct);
                var referral = await db.Referrals.FirstAsync(r => r.Id == item.Id, ct);
                return incident is not null && await referrals.ExpireAsync(referral, incident, ct);
            }, cancellationToken);
            expired += outcome.Value ? 1 : 0;
        }

        return expired;
    }

    public async Task<int> RetryQueuedAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - options.Value.QueueRetryInterval;
        var waiting = await db.Referrals.AsNoTracking()
            .Where(r => r.Status == ReferralStatus.Pending && r.ProviderId == null && (r.QueuedAt == null || r.QueuedAt <= before))
            .OrderBy(r => r.CreatedAt).Select(r => new { r.Id, r.IncidentId }).Take(Batch).ToListAsync(cancellationToken);
        var routed = 0;
        foreach (var item in waiting)
        {
            var outcome = await transactions.RunAsync<bool>(async ct =>
            {
                var incident = await LockAsync(item.IncidentId, ct);
                var referral = await db.Referrals.FirstAsync(r => r.Id == item.Id, ct);
                return incident is not null && await referrals.RetryQueuedAsync(referral, incident, ct);
            }, cancellationToken);
            routed += outcome.Value ? 1 : 0;
        }

        return routed;
    }

    private async Task<Incident?> LockAsync(Guid incidentId, CancellationToken cancellationToken) =>
        (await db.Incidents.FromSql($"SELECT * FROM kintaraa.incidents WHERE id = {incidentId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();
}
