using Haven.Testing;

namespace Haven.Pss.Tests;

/// <summary>
/// Dashboard figures are cached for <c>Haven:Pss:StatsCacheSeconds</c> (here 120). A write through this instance shows
/// at once; a write the instance did not make (another instance behind the load balancer, simulated with SQL) shows
/// no later than the time-to-live.
/// </summary>
public sealed class StatisticsCacheTests(StatisticsCacheTests.Fixture fixture) : IClassFixture<StatisticsCacheTests.Fixture>
{
    public sealed class Fixture : PssFixture
    {
        protected override void Configure(HavenTestAppOptions options)
        {
            base.Configure(options);
            options.Settings["Haven:Pss:StatsCacheSeconds"] = "120";
        }
    }

    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_change_through_this_instance_shows_at_once_and_one_through_another_within_the_time_to_live()
    {
        var programme = await App.CreateProgrammeAsync();
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var url = $"/api/pss/dashboard/stats?tenant_id={programme.Id}";
        var first = await admin.GetJsonAsync(url);
        first["journal"]!["entries_in_period"]!.GetValue<int>().Should().Be(0);

        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        (await admin.GetJsonAsync(url))["generated_at"]!.GetValue<DateTimeOffset>().Should().Be(first["generated_at"]!.GetValue<DateTimeOffset>(), "served from the cache");

        await candidate.WriteEntryAsync(fixture.Today, "good", 7);
        var afterWrite = await admin.GetJsonAsync(url);
        afterWrite["journal"]!["entries_in_period"]!.GetValue<int>().Should().Be(1, "a write through this instance invalidates the cache");

        await App.ExecuteAsync(
            "INSERT INTO pss.journal_entries (id, user_id, entry_date, title, content, mood, energy_level, version, created_at, updated_at) " +
            "VALUES (gen_random_uuid(), $1, $2, '\\x00'::bytea, '\\x00'::bytea, 'low', 3, 1, now(), now())",
            me.Id, fixture.Today);
        fixture.Clock.Advance(TimeSpan.FromSeconds(119));
        (await admin.GetJsonAsync(url))["journal"]!["entries_in_period"]!.GetValue<int>().Should().Be(1, "within the time-to-live a change made elsewhere may not show yet");

        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        (await admin.GetJsonAsync(url))["journal"]!["entries_in_period"]!.GetValue<int>().Should().Be(2, "after the time-to-live it must");
    }
}
