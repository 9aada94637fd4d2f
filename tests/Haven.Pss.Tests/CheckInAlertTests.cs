using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class CheckInAlertTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    private DateOnly Today => fixture.Today;

    [Fact]
    public async Task The_programmes_admins_are_notified_once_when_a_candidate_starts_to_need_a_check_in()
    {
        var programme = await App.CreateProgrammeAsync();
        var other = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (colleague, _) = await App.AdminAsync(programme.Id);
        var (outsider, _) = await App.AdminAsync(other.Id);

        await candidate.WriteEntryAsync(Today.AddDays(-2), "low", 4);
        await candidate.WriteEntryAsync(Today.AddDays(-1), "very_low", 3);
        (await NotificationsAsync(admin)).Should().BeEmpty("two low days are not yet a pattern");

        await candidate.WriteEntryAsync(Today, "low", 4);
        await candidate.WriteEntryAsync(Today, "very_low", 2);

        foreach (var staff in new[] { admin, colleague })
        {
            var alerts = await NotificationsAsync(staff);
            alerts.Should().ContainSingle("a candidate who stays flagged is announced once");
            alerts[0]!["title"]!.GetValue<string>().Should().Be("Check in with Test pss.candidate");
            alerts[0]!["body"]!.GetValue<string>().Should().Contain("low-mood entries in a row");
            alerts[0]!["link"]!.GetValue<string>().Should().Be($"/pss/admin/candidates/{me.Id}");
        }

        (await NotificationsAsync(outsider)).Should().BeEmpty("another programme's admin is not told");
        (await NotificationsAsync(candidate)).Should().BeEmpty("the candidate is not told they were flagged");
    }

    [Fact]
    public async Task Changing_an_entry_that_completes_a_sudden_energy_drop_notifies_too()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, _) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        foreach (var back in new[] { 8, 7, 6, 5 })
        {
            await candidate.WriteEntryAsync(Today.AddDays(-back), "good", 9);
        }

        // The newest three average 6.7 against a baseline of 9: not yet a drop of 3.
        await candidate.WriteEntryAsync(Today.AddDays(-2), "okay", 6);
        await candidate.WriteEntryAsync(Today.AddDays(-1), "okay", 6);
        var last = await candidate.WriteEntryAsync(Today, "okay", 8);
        (await NotificationsAsync(admin)).Should().BeEmpty();

        await (await candidate.PutJsonAsync($"/api/pss/journal/{last["id"]}", new { title = "A day", content = "Exhausted.", mood = "okay", energy_level = 2, version = 1 }))
            .ShouldBeJsonAsync();

        (await NotificationsAsync(admin)).Should().ContainSingle().Which!["body"]!.GetValue<string>().Should().Contain("drop in energy");
    }

    private static async Task<System.Text.Json.Nodes.JsonArray> NotificationsAsync(HttpClient client) =>
        (await client.GetJsonAsync("/api/notifications"))["items"]!.AsArray();
}
