using Haven.Testing;

namespace Haven.Kintaraa.Tests.Support;

/// <summary>
/// One Kintaraa app per test class, on a clock that starts every test at Tuesday 10:00 in Nairobi (inside office
/// hours). Tests own their data: each works in its own random area (<see cref="Area"/>) far from the others, so
/// routing in one test never reaches another test's providers.
/// </summary>
public class KintaraaFixture : HavenAppFixture
{
    /// <summary>Tuesday 24 November 2026, 10:00 in Nairobi (07:00 UTC).</summary>
    public static readonly DateTimeOffset Baseline = new(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);

    public TestClock Clock { get; } = new(Baseline);

    protected override void Configure(HavenTestAppOptions options)
    {
        options.Modules = ["kintaraa"];
        options.Clock = Clock;
        // Shorter than the defaults so a test can let an offer lapse without outliving its 15-minute access tokens.
        options.Settings["Kintaraa:ResponseTimeout"] = "00:10:00";
        options.Settings["Kintaraa:CriticalResponseTimeout"] = "00:03:00";
        options.Settings["Kintaraa:QueueRetryInterval"] = "00:05:00";
    }
}

/// <summary>A patch of the map for one test, a few hundred kilometres from any other test's.</summary>
public sealed record Area(double Latitude, double Longitude)
{
    private static int _next;

    /// <summary>Areas on a grid of 4° (about 440 km) cells, well beyond the 100 km routing reach.</summary>
    public static Area Next()
    {
        var n = Interlocked.Increment(ref _next);
        var row = n / 80 % 14;
        var column = n % 80;
        return new Area(-28 + (row * 4), -160 + (column * 4));
    }

    /// <summary>A point <paramref name="kmNorth"/> km north (negative: south) and <paramref name="kmEast"/> km east of the centre.</summary>
    public (double Latitude, double Longitude) At(double kmNorth = 0, double kmEast = 0) =>
        (Latitude + (kmNorth / 111.2), Longitude + (kmEast / (111.2 * Math.Cos(Latitude * Math.PI / 180))));
}

/// <summary>Base of the API test classes: the clock back at <see cref="KintaraaFixture.Baseline"/> and a fresh world for each test.</summary>
public abstract class KintaraaTest : IClassFixture<KintaraaFixture>
{
    protected KintaraaTest(KintaraaFixture fixture)
    {
        fixture.Clock.Set(KintaraaFixture.Baseline);
        Fixture = fixture;
        World = new World(fixture.App);
    }

    protected KintaraaFixture Fixture { get; }

    protected World World { get; }

    protected HavenTestApp App => Fixture.App;

    protected TestClock Clock => Fixture.Clock;
}
