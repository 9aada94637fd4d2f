using Haven.Kintaraa.Data;
using Haven.Kintaraa.Routing;

namespace Haven.Kintaraa.Tests.Rules;

public sealed class RoutingEngineTests
{
    // Kenyatta National Hospital area, Nairobi.
    private const double Lat = -1.3009;
    private const double Lon = 36.8066;

    // Tuesday 10:00 in Nairobi.
    private static readonly DateTimeOffset OfficeTime = new(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);

    // Sunday 02:00 in Nairobi.
    private static readonly DateTimeOffset SundayNight = new(2026, 11, 21, 23, 0, 0, TimeSpan.Zero);

    private static readonly RoutingSettings Settings = new();

    private static RoutingCandidate Candidate(
        string name, double kmNorth = 1, bool verified = true, bool available = true, bool onCall = false,
        int capacity = 10, int caseload = 0, decimal? rating = null, int? responseMinutes = null, List<WorkingPeriod>? hours = null) =>
        new(Guid.NewGuid(), name, verified, available, onCall, "Africa/Nairobi", hours ?? WorkingHours.OfficeHours(), capacity, caseload,
            Lat + (kmNorth / 111.2), Lon, rating, rating is null ? 0 : 10, responseMinutes);

    private static RoutingRequest Request(Priority priority = Priority.Medium, DateTimeOffset? now = null, IReadOnlySet<Guid>? exclude = null) =>
        new(ProviderType.Healthcare, priority, Lat, Lon, now ?? OfficeTime, exclude ?? new HashSet<Guid>());

    [Fact]
    public void The_nearest_eligible_provider_comes_first()
    {
        var far = Candidate("far", kmNorth: 30);
        var near = Candidate("near", kmNorth: 3);
        var middle = Candidate("middle", kmNorth: 12);

        var result = RoutingEngine.Rank(Request(), [far, near, middle], Settings);

        result.Ranked.Select(r => r.Provider.Organisation).Should().Equal("near", "middle", "far");
        result.Ranked[0].DistanceKm.Should().BeApproximately(3, 0.05);
        result.Ranked[0].Reasons.Should().Contain(r => r.Contains("3.0 km", StringComparison.Ordinal));
    }

    [Fact]
    public void Among_equally_near_providers_rating_then_response_time_decides()
    {
        var slowGood = Candidate("slow-good", kmNorth: 0.5, rating: 4.8m, responseMinutes: 90);
        var fastGood = Candidate("fast-good", kmNorth: 1.5, rating: 4.8m, responseMinutes: 5);
        var fastPoor = Candidate("fast-poor", kmNorth: 0.2, rating: 3.1m, responseMinutes: 2);

        var result = RoutingEngine.Rank(Request(), [slowGood, fastPoor, fastGood], Settings);

        result.Ranked.Select(r => r.Provider.Organisation).Should().Equal("fast-good", "slow-good", "fast-poor");
    }

    [Fact]
    public void A_better_rating_never_beats_being_clearly_nearer()
    {
        var nearPoor = Candidate("near-poor", kmNorth: 1, rating: 1.0m, responseMinutes: 120);
        var farExcellent = Candidate("far-excellent", kmNorth: 5, rating: 5.0m, responseMinutes: 1);

        RoutingEngine.Rank(Request(), [farExcellent, nearPoor], Settings).Ranked[0].Provider.Organisation.Should().Be("near-poor");
    }

    [Fact]
    public void Unverified_unavailable_full_too_far_and_already_tried_providers_are_excluded_and_counted()
    {
        var tried = Candidate("tried");
        var candidates = new[]
        {
            Candidate("unverified", verified: false),
            Candidate("away", available: false),
            Candidate("full", capacity: 5, caseload: 5),
            Candidate("mombasa", kmNorth: 440),
            tried,
            Candidate("ok"),
        };

        var result = RoutingEngine.Rank(Request(exclude: new HashSet<Guid> { tried.Id }), candidates, Settings);

        result.Ranked.Should().ContainSingle().Which.Provider.Organisation.Should().Be("ok");
        result.Considered.Should().Be(6);
        result.Excluded[RoutingEngine.NotVerified].Should().Be(1);
        result.Excluded[RoutingEngine.Unavailable].Should().Be(1);
        result.Excluded[RoutingEngine.AtCapacity].Should().Be(1);
        result.Excluded[RoutingEngine.TooFar].Should().Be(1);
        result.Excluded[RoutingEngine.AlreadyTried].Should().Be(1);
    }

    [Fact]
    public void Outside_working_hours_only_on_call_providers_take_critical_cases()
    {
        var onCall = Candidate("on-call", onCall: true);
        var office = Candidate("office");

        RoutingEngine.Rank(Request(Priority.High, SundayNight), [onCall, office], Settings).Ranked.Should().BeEmpty();
        var critical = RoutingEngine.Rank(Request(Priority.Critical, SundayNight), [onCall, office], Settings);

        critical.Ranked.Should().ContainSingle().Which.Provider.Organisation.Should().Be("on-call");
        critical.Ranked[0].Reasons.Should().Contain(r => r.Contains("on call", StringComparison.Ordinal));
        critical.Excluded[RoutingEngine.OutsideWorkingHours].Should().Be(1);
    }

    [Fact]
    public void Without_a_shared_location_providers_are_ranked_by_rating_and_say_why()
    {
        var request = Request() with { Latitude = null, Longitude = null };
        var good = Candidate("good", kmNorth: 50, rating: 4.9m);
        var poor = Candidate("poor", kmNorth: 1, rating: 2.0m);

        var result = RoutingEngine.Rank(request, [poor, good], Settings);

        result.Ranked.Select(r => r.Provider.Organisation).Should().Equal("good", "poor");
        result.Ranked[0].DistanceKm.Should().BeNull();
        result.Ranked[0].Reasons.Should().Contain("distance unknown: no location was shared");
    }

    [Fact]
    public void The_trace_explains_the_choice_or_why_there_was_none()
    {
        var chosen = RoutingEngine.Rank(Request(), [Candidate("a"), Candidate("b", kmNorth: 8)], Settings);
        var trace = chosen.TraceFor(chosen.Ranked[0]);
        trace.Reasons.Should().Contain("ranked 1 of 2 eligible providers");
        trace.RunnersUp.Should().ContainSingle().Which.Organisation.Should().Be("b");

        var none = RoutingEngine.Rank(Request(), [Candidate("x", available: false), Candidate("y", capacity: 1, caseload: 1)], Settings);
        none.TraceFor(null).Reasons.Should().ContainSingle().Which.Should().Be("no eligible provider among 2: 1 unavailable, 1 at capacity");
        RoutingEngine.Rank(Request(), [], Settings).TraceFor(null).Reasons.Should().Equal("no provider of this type is registered");
    }

    [Fact]
    public void Great_circle_distance_matches_known_city_pairs()
    {
        // Nairobi CBD to Mombasa CBD is about 440 km as the crow flies.
        GeoDistance.Kilometres(-1.2864, 36.8172, -4.0435, 39.6682).Should().BeApproximately(440, 5);
        GeoDistance.Kilometres(Lat, Lon, Lat, Lon).Should().Be(0);
    }
}
