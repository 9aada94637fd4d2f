using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class KeepingAJournalTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    private DateOnly Today => fixture.Today;

    [Fact]
    public async Task A_candidate_writes_reads_changes_and_deletes_their_entries()
    {
        var (candidate, me) = await App.CandidateAsync((await App.CreateProgrammeAsync()).Id);

        var created = await candidate.WriteEntryAsync(Today, "good", 7, "First week", "Met my mentor.");
        var id = created["id"]!.GetValue<string>();
        created["mood_label"]!.GetValue<string>().Should().Be("Good");
        created["user_id"]!.GetValue<string>().Should().Be(me.Id.ToString());

        var changed = await (await candidate.PutJsonAsync($"/api/pss/journal/{id}", new
        {
            date = Today.AddDays(-1), title = "First week, really", content = "Met my mentor and the team.", mood = "very_good", energy_level = 8, version = 1,
        })).ShouldBeJsonAsync();
        changed["version"]!.GetValue<int>().Should().Be(2);
        changed["date"]!.GetValue<string>().Should().Be(Today.AddDays(-1).ToString("yyyy-MM-dd"));

        var stale = await candidate.PutJsonAsync($"/api/pss/journal/{id}", new { title = "x", content = "y", mood = "low", energy_level = 1, version = 1 });
        await stale.ShouldBeProblemAsync(409, "version_conflict");
        (await candidate.GetJsonAsync($"/api/pss/journal/{id}"))["title"]!.GetValue<string>().Should().Be("First week, really");

        (await candidate.DeleteAsync($"/api/pss/journal/{id}", TestContext.Current.CancellationToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        await (await candidate.GetAsync($"/api/pss/journal/{id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task Entries_list_newest_first_within_a_date_range_one_page_at_a_time()
    {
        var (candidate, _) = await App.CandidateAsync((await App.CreateProgrammeAsync()).Id);
        for (var back = 0; back < 12; back++)
        {
            await candidate.WriteEntryAsync(Today.AddDays(-back), title: $"Day -{back}");
        }

        var range = $"from={Today.AddDays(-9):yyyy-MM-dd}&to={Today.AddDays(-2):yyyy-MM-dd}";
        var first = await candidate.GetJsonAsync($"/api/pss/journal?{range}&page_size=3");
        var third = await candidate.GetJsonAsync($"/api/pss/journal?{range}&page_size=3&page=3");

        first["total"]!.GetValue<int>().Should().Be(8);
        first["items"]!.AsArray().Select(i => i!["title"]!.GetValue<string>()).Should().Equal("Day -2", "Day -3", "Day -4");
        third["items"]!.AsArray().Select(i => i!["title"]!.GetValue<string>()).Should().Equal("Day -8", "Day -9");
        var backwards = await candidate.GetAsync($"/api/pss/journal?from={Today:yyyy-MM-dd}&to={Today.AddDays(-3):yyyy-MM-dd}", TestContext.Current.CancellationToken);
        await backwards.ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task A_bad_entry_is_refused_field_by_field()
    {
        var (candidate, _) = await App.CandidateAsync((await App.CreateProgrammeAsync()).Id);

        var response = await candidate.PostJsonAsync("/api/pss/journal", new { date = Today.AddDays(3), title = " ", content = "text", mood = "ecstatic", energy_level = 11 });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(["date", "title", "mood", "energy_level"]);
        (await candidate.GetJsonAsync("/api/pss/journal"))["total"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Retrying_a_new_entry_with_its_client_id_does_not_write_it_twice()
    {
        var (candidate, _) = await App.CandidateAsync((await App.CreateProgrammeAsync()).Id);
        var body = new { id = Guid.NewGuid(), title = "Offline entry", content = "Written on the train.", mood = "okay", energy_level = 4 };

        await (await candidate.PostJsonAsync("/api/pss/journal", body)).ShouldBeJsonAsync(201);
        await (await candidate.PostJsonAsync("/api/pss/journal", body)).ShouldBeJsonAsync(200);

        (await candidate.GetJsonAsync("/api/pss/journal"))["total"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Weekly_and_monthly_trends_average_mood_and_energy_and_include_empty_periods()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        // Today is Friday 2026-11-20: its week starts Monday 16 November.
        await candidate.WriteEntryAsync(new DateOnly(2026, 11, 16), "very_low", 2);
        await candidate.WriteEntryAsync(new DateOnly(2026, 11, 18), "good", 6);
        await candidate.WriteEntryAsync(new DateOnly(2026, 11, 3), "okay", 5);
        await candidate.WriteEntryAsync(new DateOnly(2026, 10, 14), "very_good", 9);

        var weeks = await admin.GetJsonAsync($"/api/pss/journal/trends?user_id={me.Id}&period=week&from=2026-10-26");
        var months = await candidate.GetJsonAsync("/api/pss/journal/trends?period=month&from=2026-09-01");

        var points = weeks["points"]!.AsArray();
        points.Select(p => p!["period_start"]!.GetValue<string>()).Should().Equal("2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16");
        points.Select(p => p!["entries"]!.GetValue<int>()).Should().Equal(0, 1, 0, 2);
        points[3]!["average_mood"]!.GetValue<double>().Should().Be(2.5, "very low (1) and good (4)");
        points[3]!["average_energy"]!.GetValue<double>().Should().Be(4);
        points[3]!["low_mood_entries"]!.GetValue<int>().Should().Be(1);
        points[0]!["average_mood"].Should().BeNull("an empty week has no average");
        months["points"]!.AsArray().Select(p => p!["entries"]!.GetValue<int>()).Should().Equal(0, 1, 3);
        await (await candidate.GetAsync("/api/pss/journal/trends?period=year", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task Programme_staff_read_a_candidates_journal_but_cannot_write_in_it()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var entry = await candidate.WriteEntryAsync(Today, "low", 3, "Tough day", "Too much noise.");

        var list = await admin.GetJsonAsync($"/api/pss/journal?user_id={me.Id}");
        list["items"]!.AsArray().Should().ContainSingle().Which!["content"]!.GetValue<string>().Should().Be("Too much noise.");
        await (await admin.GetAsync("/api/pss/journal", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(400, "validation_failed");
        await (await admin.PutJsonAsync($"/api/pss/journal/{entry["id"]}", new { title = "x", content = "y", mood = "good", energy_level = 5, version = 1 }))
            .ShouldBeProblemAsync(403, "forbidden");
    }
}
