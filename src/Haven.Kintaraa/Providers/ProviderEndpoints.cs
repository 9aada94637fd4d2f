using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Providers;

public sealed class ProviderFilter
{
    public string? Type { get; init; }

    public bool? Verified { get; init; }

    public bool? Available { get; init; }

    /// <summary>Matches organisation or name (case-insensitive, anywhere).</summary>
    public string? Q { get; init; }

    public int? Page { get; init; }

    [FromQuery(Name = "page_size")]
    public int? PageSize { get; init; }
}

public sealed class DirectoryQuery
{
    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    public string? Type { get; init; }

    [FromQuery(Name = "radius_km")]
    public double? RadiusKm { get; init; }

    public int? Page { get; init; }

    [FromQuery(Name = "page_size")]
    public int? PageSize { get; init; }
}

/// <summary>One of the caller's referrals with its case: the provider's work list.</summary>
public sealed record AssignedCase(IncidentSummary Incident, ReferralView Referral);

internal static class ProviderEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var providers = api.MapGroup("/providers").WithTags("Kintaraa providers");
        providers.MapGet("/me", MineAsync).WithName("kintaraa_providers_me")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Your provider profile");
        providers.MapPut("/me", SaveMineAsync).WithName("kintaraa_providers_me_save")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Create or change your profile: organisation, services, location, time zone, working hours, availability, capacity")
            .WithDescription("Your provider type comes from your role. A new profile is unverified until an admin verifies it; changing the organisation needs verifying again.");
        providers.MapPut("/me/availability", SetAvailabilityAsync).WithName("kintaraa_providers_me_availability")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Switch yourself available/away and on call");
        providers.MapGet("/me/cases", MyCasesAsync).WithName("kintaraa_providers_me_cases")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Your assigned cases: referrals offered to you or accepted by you, newest first");
        providers.MapGet("", ListAsync).WithName("kintaraa_providers_list")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("All provider profiles (admins), filtered by type, verification, availability and name");
        providers.MapGet("/{id:guid}", DetailAsync).WithName("kintaraa_providers_detail")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("One provider profile (admins)");
        providers.MapPost("/{id:guid}/verify", VerifyAsync).WithName("kintaraa_providers_verify")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("Verify a provider: only verified providers are routed cases and listed in the directory");
        providers.MapPost("/{id:guid}/unverify", UnverifyAsync).WithName("kintaraa_providers_unverify")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("Withdraw a provider's verification");

        api.MapGet("/directory", DirectoryAsync).WithName("kintaraa_directory").WithTags("Kintaraa self-service")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Verified services near a location, nearest first (shelters show distance only, never where they are)");
    }

    private static async Task<Results<Ok<ProviderProfile>, ProblemHttpResult>> MineAsync(KintaraaCaller caller, TimeProvider clock, CancellationToken cancellationToken) =>
        await caller.ProviderAsync(cancellationToken) is { } provider
            ? TypedResults.Ok(ProviderService.ToProfile(provider, clock.GetUtcNow()))
            : ProviderService.ProfileMissing.ToProblem();

    private static async Task<Results<Created<ProviderProfile>, Ok<ProviderProfile>, ProblemHttpResult>> SaveMineAsync(
        ProviderProfileRequest request, ProviderService service, CancellationToken cancellationToken)
    {
        var result = await service.SaveOwnAsync(request, cancellationToken);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var (profile, created) = result.Value;
        return created ? TypedResults.Created("/api/kintaraa/providers/me", profile) : TypedResults.Ok(profile);
    }

    private static async Task<Results<Ok<ProviderProfile>, ProblemHttpResult>> SetAvailabilityAsync(
        AvailabilityRequest request, ProviderService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.SetAvailabilityAsync(request, cancellationToken));

    private static async Task<Results<Ok<PageOf<AssignedCase>>, ProblemHttpResult>> MyCasesAsync(
        [FromQuery] string? status, [FromQuery] int? page, [FromQuery(Name = "page_size")] int? pageSize,
        KintaraaCaller caller, KintaraaDbContext db, IncidentQueries queries, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var statuses = IncidentQueries.ParseList<ReferralStatus>(status, "status", errors);
        var (p, size) = IncidentQueries.Paging(page, pageSize, errors);
        if (errors.AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        if (await caller.ProviderAsync(cancellationToken) is not { } provider)
        {
            return ProviderService.ProfileMissing.ToProblem();
        }

        // Only live referrals: a provider sees a case while it is referred to them.
        if (statuses.Count == 0)
        {
            statuses = [ReferralStatus.Pending, ReferralStatus.Accepted];
        }

        statuses = [.. statuses.Where(s => s is ReferralStatus.Pending or ReferralStatus.Accepted)];
        var query = db.Referrals.AsNoTracking().Where(r => r.ProviderId == provider.Id && statuses.Contains(r.Status))
            .Join(db.Incidents, r => r.IncidentId, i => i.Id, (r, i) => new { r, i });
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(x => x.r.Status == ReferralStatus.Pending).ThenByDescending(x => x.r.OfferedAt ?? x.r.CreatedAt)
            .Skip((p - 1) * size).Take(size).ToListAsync(cancellationToken);
        var unread = await queries.UnreadForAsync([.. rows.Select(x => x.i)], cancellationToken);
        var providers = new Dictionary<Guid, Provider> { [provider.Id] = provider };
        return TypedResults.Ok(new PageOf<AssignedCase>(
            [.. rows.Select(x => new AssignedCase(CaseReader.Summary(x.i, unread.GetValueOrDefault(x.i.Id)), CaseReader.ToView(x.r, providers, withRouting: false)))],
            total, p, size));
    }

    private static async Task<Results<Ok<PageOf<ProviderProfile>>, ProblemHttpResult>> ListAsync(
        [AsParameters] ProviderFilter filter, ProviderService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.ListAsync(filter, cancellationToken));

    private static async Task<Results<Ok<ProviderProfile>, ProblemHttpResult>> DetailAsync(Guid id, ProviderService service, CancellationToken cancellationToken) =>
        await service.FindAsync(id, cancellationToken) is { } profile ? TypedResults.Ok(profile) : ProviderService.ProviderNotFound.ToProblem();

    private static async Task<Results<Ok<ProviderProfile>, ProblemHttpResult>> VerifyAsync(
        Guid id, VerificationRequest? request, ProviderService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.SetVerifiedAsync(id, true, request?.Note, cancellationToken));

    private static async Task<Results<Ok<ProviderProfile>, ProblemHttpResult>> UnverifyAsync(
        Guid id, VerificationRequest? request, ProviderService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.SetVerifiedAsync(id, false, request?.Note, cancellationToken));

    private static async Task<Results<Ok<PageOf<DirectoryEntry>>, ProblemHttpResult>> DirectoryAsync(
        [AsParameters] DirectoryQuery query, KintaraaDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(query.Latitude is null || query.Longitude is null, "latitude", "Give latitude and longitude.")
            .When(query.Latitude is < -90 or > 90, "latitude", "Between -90 and 90.")
            .When(query.Longitude is < -180 or > 180, "longitude", "Between -180 and 180.")
            .When(query.RadiusKm is <= 0 or > 500, "radius_km", "Between 0 and 500 km.");
        var types = IncidentQueries.ParseList<ProviderType>(query.Type, "type", errors);
        var (page, size) = IncidentQueries.Paging(query.Page, query.PageSize, errors);
        if (errors.AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        var (lat, lon, radius) = (query.Latitude!.Value, query.Longitude!.Value, query.RadiusKm ?? 25);
        // A bounding box narrows the rows in SQL; the exact great-circle distance then decides.
        var latDelta = radius / 111.0;
        var lonDelta = radius / (111.0 * Math.Max(Math.Cos(lat * Math.PI / 180), 0.01));
        var candidates = db.Providers.AsNoTracking().Where(p => p.IsVerified && p.Latitude != null && p.Longitude != null
            && p.Latitude >= lat - latDelta && p.Latitude <= lat + latDelta && p.Longitude >= lon - lonDelta && p.Longitude <= lon + lonDelta);
        if (types.Count > 0)
        {
            candidates = candidates.Where(p => types.Contains(p.ProviderType));
        }

        var now = clock.GetUtcNow();
        var nearby = (await candidates.ToListAsync(cancellationToken))
            .Select(p => (Provider: p, Distance: GeoDistance.Kilometres(lat, lon, p.Latitude!.Value, p.Longitude!.Value)))
            .Where(x => x.Distance <= radius)
            .OrderBy(x => x.Distance).ThenBy(x => x.Provider.Id)
            .ToList();
        var items = nearby.Skip((page - 1) * size).Take(size).Select(x => Entry(x.Provider, x.Distance, now)).ToList();
        return TypedResults.Ok(new PageOf<DirectoryEntry>(items, nearby.Count, page, size));
    }

    private static DirectoryEntry Entry(Provider p, double distance, DateTimeOffset now)
    {
        // Where a shelter or rescue centre is must stay secret from those survivors flee: distance only, whole kilometres.
        var hidden = p.ProviderType == ProviderType.GbvRescue;
        return new DirectoryEntry(p.Id, p.ProviderType, p.DisplayName, p.Organisation, p.Services, p.Phone,
            hidden ? null : p.Address, hidden ? null : p.Latitude, hidden ? null : p.Longitude,
            hidden ? Math.Max(1, Math.Round(distance)) : Math.Round(distance, 1),
            WorkingHours.Covering(p.WorkingHours, p.TimeZone, now) is not null, p.OnCall, p.Rating);
    }
}
