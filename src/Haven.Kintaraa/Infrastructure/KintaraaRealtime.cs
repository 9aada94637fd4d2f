using Haven.Kintaraa.Data;
using Haven.Platform.Identity;
using Haven.Platform.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>
/// Who may join a case's realtime group (<c>kintaraa-case:&lt;id&gt;</c>): the same people who take part in its
/// conversation through the API — the survivor, providers who accepted a referral of it, and admins.
/// </summary>
internal sealed class CaseGroupAuthorizer(KintaraaDbContext db) : IGroupAuthorizer
{
    public async ValueTask<bool> CanJoinAsync(ICurrentUser user, string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var incidentId) || user.UserId is not { } me)
        {
            return false;
        }

        if (user.HasRole(KintaraaRoles.Admin) || user.HasRole(KintaraaRoles.PlatformAdmin))
        {
            return await db.Incidents.AnyAsync(i => i.Id == incidentId, cancellationToken);
        }

        if (user.HasRole(KintaraaRoles.Survivor) && await db.Incidents.AnyAsync(i => i.Id == incidentId && i.SurvivorId == me, cancellationToken))
        {
            return true;
        }

        return user.HasRole(KintaraaRoles.Provider) && await db.Referrals.AnyAsync(
            r => r.IncidentId == incidentId && r.Status == ReferralStatus.Accepted && db.Providers.Any(p => p.Id == r.ProviderId && p.UserId == me),
            cancellationToken);
    }
}

/// <summary>The coordinators' group (<c>kintaraa-admins:all</c>): queue alerts, new cases, availability changes.</summary>
internal sealed class AdminGroupAuthorizer : IGroupAuthorizer
{
    public ValueTask<bool> CanJoinAsync(ICurrentUser user, string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(id == Recipients.AdminGroupId && (user.HasRole(KintaraaRoles.Admin) || user.HasRole(KintaraaRoles.PlatformAdmin)));
}
