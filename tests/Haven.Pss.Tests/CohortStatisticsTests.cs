using System.Text;
using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class CohortStatisticsTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    private DateOnly Today => fixture.Today;

    private async Task<(Guid Programme, HttpClient Admin, Guid LowMood, Guid EnergyDrop, Guid Quiet)> CohortAsync()
    {
        var programme = await App.CreateProgrammeAsync();
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (low, lowUser) = await App.CandidateAsync(programme.Id);
        var (tired, tiredUser) = await App.CandidateAsync(programme.Id);
        var (_, quietUser) = await App.CandidateAsync(programme.Id);
        var form = await low.GetJsonAsync("/api/pss/intake/form");
        await (await low.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);

        // A good day, then three low days in a row: flagged.
        await low.WriteEntryAsync(Today.AddDays(-4), "good", 6);
        await low.WriteEntryAsync(Today.AddDays(-2), "low", 4);
        await low.WriteEntryAsync(Today.AddDays(-1), "very_low", 3);
        await low.WriteEntryAsync(Today, "low", 4);
        // Energy around 8 for a week, then around 3: flagged; moods stay okay.
        foreach (var back in new[] { 10, 9, 8, 7 })
        {
            await tired.WriteEntryAsync(Today.AddDays(-back), "good", 8);
        }

        foreach (var back in new[] { 2, 1, 0 })
        {
            await tired.WriteEntryAsync(Today.AddDays(-back), "okay", 3);
        }

        return (programme.Id, admin, lowUser.Id, tiredUser.Id, quietUser.Id);
    }

    [Fact]
    public async Task Admins_see_their_cohorts_figures_and_who_needs_a_check_in()
    {
        var (programme, admin, low, tired, _) = await CohortAsync();

        var stats = await admin.GetJsonAsync($"/api/pss/dashboard/stats?tenant_id={programme}");

        stats["candidates"]!["total"]!.GetValue<int>().Should().Be(3);
        stats["candidates"]!["intake_completed"]!.GetValue<int>().Should().Be(1);
        stats["candidates"]!["intake_completion_rate"]!.GetValue<double>().Should().BeApproximately(0.3333, 0.0001);
        stats["candidates"]!["active_in_period"]!.GetValue<int>().Should().Be(2);
        stats["journal"]!["entries_in_period"]!.GetValue<int>().Should().Be(11);
        stats["journal"]!["entries_last7_days"]!.GetValue<int>().Should().Be(7);
        var moods = stats["mood_distribution"]!.AsArray().ToDictionary(m => m!["mood"]!.GetValue<string>(), m => m!["count"]!.GetValue<int>());
        moods.Should().Equal(new Dictionary<string, int> { ["very_low"] = 1, ["low"] = 2, ["okay"] = 3, ["good"] = 5, ["very_good"] = 0 });
        var flagged = stats["flagged"]!.AsArray().ToDictionary(f => f!["user_id"]!.GetValue<string>(), f => f!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList());
        flagged.Should().HaveCount(2);
        flagged[low.ToString()].Should().Equal("low_mood_streak");
        flagged[tired.ToString()].Should().Equal("energy_drop");
        stats["weekly_trend"]!.AsArray().Sum(p => p!["entries"]!.GetValue<int>()).Should().Be(11);
    }

    [Fact]
    public async Task A_good_day_after_low_ones_clears_the_flag()
    {
        var programme = await App.CreateProgrammeAsync();
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        foreach (var back in new[] { 3, 2, 1 })
        {
            await candidate.WriteEntryAsync(Today.AddDays(-back), "very_low", 4);
        }

        (await admin.GetJsonAsync($"/api/pss/users/{me.Id}"))["check_in_flags"]!.AsArray().Select(f => f!.GetValue<string>()).Should().Equal("low_mood_streak");
        (await candidate.GetJsonAsync("/api/pss/users/me"))["check_in_flags"]!.AsArray().Should().BeEmpty("flags are for staff, not shown to the candidate");

        await candidate.WriteEntryAsync(Today, "good", 7);

        (await admin.GetJsonAsync($"/api/pss/users/{me.Id}"))["check_in_flags"]!.AsArray().Should().BeEmpty();
        (await admin.GetJsonAsync($"/api/pss/dashboard/stats?tenant_id={programme.Id}"))["flagged"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Statistics_cover_only_the_callers_programmes_and_everything_for_a_superuser()
    {
        var (programme, _, _, _, _) = await CohortAsync();
        var other = await App.CreateProgrammeAsync();
        var (otherAdmin, _) = await App.AdminAsync(other.Id);
        var (superuser, _) = await App.SuperuserAsync();

        var theirs = await otherAdmin.GetJsonAsync("/api/pss/dashboard/stats");
        var everything = await superuser.GetJsonAsync("/api/pss/dashboard/stats");
        var one = await superuser.GetJsonAsync($"/api/pss/dashboard/stats?tenant_id={programme}");

        theirs["candidates"]!["total"]!.GetValue<int>().Should().Be(0);
        theirs["flagged"]!.AsArray().Should().BeEmpty();
        everything["candidates"]!["total"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(3);
        one["candidates"]!["total"]!.GetValue<int>().Should().Be(3);
        await (await otherAdmin.GetAsync($"/api/pss/dashboard/stats?tenant_id={programme}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
        await (await superuser.GetAsync("/api/pss/dashboard/stats?days=3", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task The_cohort_exports_as_csv_with_formulas_defused()
    {
        var (programme, admin, low, _, quiet) = await CohortAsync();
        await App.ExecuteAsync("UPDATE platform.users SET display_name = $1 WHERE id = $2", "=HYPERLINK(\"http://evil.example\",\"Click\")", quiet);
        await App.ExecuteAsync("UPDATE platform.users SET display_name = $1 WHERE id = $2", "Lindiwe, \"Lulu\" Zulu", low);

        var response = await admin.GetAsync($"/api/pss/dashboard/stats/export?tenant_id={programme}", TestContext.Current.CancellationToken);
        var weekly = await admin.GetAsync($"/api/pss/dashboard/stats/export?tenant_id={programme}&report=weekly", TestContext.Current.CancellationToken);

        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        response.Content.Headers.ContentDisposition!.FileName.Should().Contain("pss-candidates-");
        var csv = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).TrimStart('\uFEFF');
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith("candidate_id,name,email,programme_id,intake_completed,entries_in_period");
        lines.Should().HaveCount(4);
        csv.Should().Contain("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\"", "a cell a spreadsheet would run as a formula starts with an apostrophe");
        csv.Should().NotContain(",=HYPERLINK").And.NotContain("\"=HYPERLINK");
        csv.Should().Contain("\"Lindiwe, \"\"Lulu\"\" Zulu\"");
        lines.Single(l => l.StartsWith(low.ToString(), StringComparison.Ordinal)).Should().EndWith(",low_mood_streak");
        var weeklyCsv = (await weekly.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).TrimStart('\uFEFF');
        weeklyCsv.Should().StartWith("week_start,week_end,entries,active_candidates,average_mood,average_energy,low_mood_entries");
    }
}
