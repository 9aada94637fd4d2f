using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Portal;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Portal;

/// <summary>A referral offered to the signed-in provider and waiting for their answer, as the dashboard lists it.</summary>
public sealed record OfferRow(
    Guid ReferralId, Guid IncidentId, string CaseNumber, string Handle, IncidentType? Type, Priority Priority, SupportService Service,
    ReferralKind Kind, DateTimeOffset? OfferedAt, DateTimeOffset? RespondBy);

/// <summary>One offer row and, when its decline form failed, what to show in it.</summary>
public sealed record OfferRowModel(OfferRow Offer, string TimeZone, (PortalForm Form, string? Code, string? Reason)? Decline);

/// <summary>
/// The provider dashboard's own reads: the offers waiting for the caller. Only referrals made to the caller's provider
/// profile are read, so the list needs no other access check; everything that changes a case goes through
/// <see cref="Routing.ReferralActions"/> and the other case services.
/// </summary>
public sealed class ProviderDesk(KintaraaDbContext db, KintaraaCaller caller)
{
    public const int MaxOffers = 50;

    /// <summary>A choice list, not a directory: past this many, routing choosing is the better answer.</summary>
    public const int MaxColleagues = 200;

    public async Task<IReadOnlyList<OfferRow>> OffersAsync(CancellationToken cancellationToken)
    {
        if (await caller.ProviderAsync(cancellationToken) is not { } provider)
        {
            return [];
        }

        return await Offers(provider.Id, null).Take(MaxOffers).ToListAsync(cancellationToken);
    }

    /// <summary>One offer (for the live insert), or null when it is not, or no longer, waiting for the caller.</summary>
    public async Task<OfferRow?> OfferAsync(Guid referralId, CancellationToken cancellationToken)
    {
        if (await caller.ProviderAsync(cancellationToken) is not { } provider)
        {
            return null;
        }

        return await Offers(provider.Id, referralId).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Verified providers other than <paramref name="exceptProviderId"/>, by type and name: whom a provider may name when
    /// referring onward or transferring (routing picks when they name no one).
    /// </summary>
    public async Task<IReadOnlyList<ProviderBrief>> ColleaguesAsync(Guid exceptProviderId, CancellationToken cancellationToken) =>
        await db.Providers.AsNoTracking()
            .Where(p => p.IsVerified && p.Id != exceptProviderId)
            .OrderBy(p => p.ProviderType).ThenBy(p => p.DisplayName).ThenBy(p => p.Id)
            .Take(MaxColleagues)
            .Select(p => new ProviderBrief(p.Id, p.ProviderType, p.DisplayName, p.Organisation, null))
            .ToListAsync(cancellationToken);

    /// <summary>Newest first; filtered and ordered before the projection, which the database cannot look into.</summary>
    private IQueryable<OfferRow> Offers(Guid providerId, Guid? referralId) =>
        from r in db.Referrals.AsNoTracking()
        join i in db.Incidents.AsNoTracking() on r.IncidentId equals i.Id
        where r.ProviderId == providerId && r.Status == ReferralStatus.Pending && (referralId == null || r.Id == referralId)
        orderby r.OfferedAt descending, r.Id descending
        select new OfferRow(r.Id, i.Id, i.CaseNumber, i.Handle, i.Type, i.Priority, r.Service, r.Kind, r.OfferedAt, r.RespondBy);
}
