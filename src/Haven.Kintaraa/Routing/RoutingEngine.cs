using System.Globalization;
using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Routing;

/// <summary>What routing needs to know about one provider of the requested type.</summary>
public sealed record RoutingCandidate(
    Guid Id,
    string Organisation,
    bool IsVerified,
    bool IsAvailable,
    bool OnCall,
    string TimeZone,
    IReadOnlyList<WorkingPeriod> WorkingHours,
    int Capacity,
    int Caseload,
    double? Latitude,
    double? Longitude,
    decimal? Rating,
    int RatingCount,
    int? ResponseTimeMinutes);

/// <summary>One service of one case to route.</summary>
/// <param name="Exclude">Providers that already declined or let this service of this case lapse.</param>
public sealed record RoutingRequest(
    ProviderType ProviderType,
    Priority Priority,
    double? Latitude,
    double? Longitude,
    DateTimeOffset Now,
    IReadOnlySet<Guid> Exclude);

public sealed record RankedCandidate(RoutingCandidate Provider, decimal Score, double? DistanceKm, IReadOnlyList<string> Reasons);

public sealed record RoutingResult(IReadOnlyList<RankedCandidate> Ranked, int Considered, IReadOnlyDictionary<string, int> Excluded)
{
    /// <summary>The trace stored with a referral to <paramref name="chosen"/> (or with a queued referral when null).</summary>
    public RoutingTrace TraceFor(RankedCandidate? chosen)
    {
        var reasons = chosen is null
            ? new List<string> { NoCandidateReason() }
            : [.. chosen.Reasons, string.Create(CultureInfo.InvariantCulture, $"ranked {Ranked.ToList().IndexOf(chosen) + 1} of {Ranked.Count} eligible providers")];
        var runnersUp = Ranked.Where(r => r != chosen).Take(3)
            .Select(r => new RoutingAlternative(r.Provider.Id, r.Provider.Organisation, r.Score, r.DistanceKm)).ToList();
        return new RoutingTrace(Considered, Excluded, reasons, runnersUp);
    }

    private string NoCandidateReason()
    {
        if (Considered == 0)
        {
            return "no provider of this type is registered";
        }

        var parts = Excluded.Where(e => e.Value > 0).Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Value} {e.Key.Replace('_', ' ')}"));
        return string.Create(CultureInfo.InvariantCulture, $"no eligible provider among {Considered}: {string.Join(", ", parts)}");
    }
}

public sealed class RoutingSettings
{
    /// <summary>Providers within the same band of distance count as equally near; rating and response time decide among them.</summary>
    public double DistanceBandKm { get; set; } = 2;

    /// <summary>Providers further away than this are not offered the case (it goes to the admin queue instead).</summary>
    public double MaxDistanceKm { get; set; } = 100;
}

/// <summary>
/// Chooses providers for one service of a case. Eligible: of the requested type, verified, marked available, inside
/// working hours in their own time zone (or on call, for a critical case), with a free place, within reach, and not
/// already tried for this service of this case. Ranked: nearest first (great-circle distance, compared in bands of
/// <see cref="RoutingSettings.DistanceBandKm"/>), then higher rating, then faster response, then exact distance.
/// The score encodes that order: 1000 − 10 × band + 1.5 × rating (3 when unrated) + up to 2 for a fast response.
/// </summary>
public static class RoutingEngine
{
    public const string NotVerified = "not_verified";
    public const string Unavailable = "unavailable";
    public const string OutsideWorkingHours = "outside_working_hours";
    public const string AtCapacity = "at_capacity";
    public const string TooFar = "too_far";
    public const string AlreadyTried = "already_tried";

    private const int UnknownDistanceBand = 99;

    public static RoutingResult Rank(RoutingRequest request, IEnumerable<RoutingCandidate> candidates, RoutingSettings settings)
    {
        var excluded = new Dictionary<string, int>
        {
            [AlreadyTried] = 0, [NotVerified] = 0, [Unavailable] = 0, [OutsideWorkingHours] = 0, [AtCapacity] = 0, [TooFar] = 0,
        };
        var ranked = new List<RankedCandidate>();
        var considered = 0;
        foreach (var candidate in candidates)
        {
            considered++;
            var reasons = new List<string>();
            var exclusion = Exclusion(request, candidate, settings, reasons, out var distance);
            if (exclusion is not null)
            {
                excluded[exclusion]++;
                continue;
            }

            var band = distance is { } d ? Math.Min((int)Math.Floor(d / settings.DistanceBandKm), UnknownDistanceBand) : UnknownDistanceBand;
            var rating = candidate.Rating ?? 3m;
            var responseMinutes = Math.Min(candidate.ResponseTimeMinutes ?? 60, 120);
            var score = 1000m - (10m * band) + (1.5m * rating) + (2m * (1m - (responseMinutes / 120m)));
            reasons.Add(candidate.Rating is { } r
                ? string.Create(CultureInfo.InvariantCulture, $"rated {r:0.0} by {candidate.RatingCount} survivors")
                : "not rated yet");
            reasons.Add(candidate.ResponseTimeMinutes is { } minutes
                ? string.Create(CultureInfo.InvariantCulture, $"answers referrals in about {minutes} minutes")
                : "no response history yet");
            ranked.Add(new RankedCandidate(candidate, Math.Round(score, 2), distance is { } km ? Math.Round(km, 2) : null, reasons));
        }

        ranked.Sort((a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byDistance = (a.DistanceKm ?? double.MaxValue).CompareTo(b.DistanceKm ?? double.MaxValue);
            return byDistance != 0 ? byDistance : a.Provider.Id.CompareTo(b.Provider.Id);
        });
        return new RoutingResult(ranked, considered, excluded);
    }

    private static string? Exclusion(RoutingRequest request, RoutingCandidate candidate, RoutingSettings settings, List<string> reasons, out double? distance)
    {
        distance = null;
        if (request.Exclude.Contains(candidate.Id))
        {
            return AlreadyTried;
        }

        if (!candidate.IsVerified)
        {
            return NotVerified;
        }

        if (!candidate.IsAvailable)
        {
            return Unavailable;
        }

        reasons.Add("verified and available");
        var period = WorkingHours.Covering(candidate.WorkingHours, candidate.TimeZone, request.Now);
        if (period is not null)
        {
            reasons.Add($"inside working hours ({WorkingHours.Describe(period)}, {candidate.TimeZone})");
        }
        else if (request.Priority == Priority.Critical && candidate.OnCall)
        {
            reasons.Add("on call for critical cases outside working hours");
        }
        else
        {
            return OutsideWorkingHours;
        }

        if (candidate.Caseload >= candidate.Capacity)
        {
            return AtCapacity;
        }

        reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{candidate.Capacity - candidate.Caseload} of {candidate.Capacity} places free"));
        if (request.Latitude is { } lat && request.Longitude is { } lon && candidate.Latitude is { } plat && candidate.Longitude is { } plon)
        {
            distance = GeoDistance.Kilometres(lat, lon, plat, plon);
            if (distance > settings.MaxDistanceKm)
            {
                return TooFar;
            }

            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{distance:0.0} km from the reported location"));
        }
        else
        {
            reasons.Add(request.Latitude is null ? "distance unknown: no location was shared" : "distance unknown: the provider has no location");
        }

        return null;
    }
}
