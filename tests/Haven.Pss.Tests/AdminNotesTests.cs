using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class AdminNotesTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Staff_write_notes_with_tags_and_find_them_by_candidate_and_tag()
    {
        var programme = await App.CreateProgrammeAsync();
        var (_, candidate) = await App.CandidateAsync(programme.Id);
        var (_, other) = await App.CandidateAsync(programme.Id);
        var (admin, author) = await App.AdminAsync(programme.Id);

        var note = await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = candidate.Id, note_text = "Asked for a quieter desk.", tags = new[] { "Accommodation", " follow up " } }))
            .ShouldBeJsonAsync(201);
        await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = candidate.Id, note_text = "Doing well.", tags = new[] { "wellbeing" } })).ShouldBeJsonAsync(201);
        await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = other.Id, note_text = "First meeting." })).ShouldBeJsonAsync(201);

        note["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("accommodation", "follow_up");
        note["author_id"]!.GetValue<string>().Should().Be(author.Id.ToString());
        note["author_name"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        (await admin.GetJsonAsync($"/api/pss/admin-notes?candidate_id={candidate.Id}"))["total"]!.GetValue<int>().Should().Be(2);
        var tagged = await admin.GetJsonAsync("/api/pss/admin-notes?tag=follow_up");
        tagged["items"]!.AsArray().Should().ContainSingle().Which!["note_text"]!.GetValue<string>().Should().Be("Asked for a quieter desk.");
        (await admin.GetJsonAsync("/api/pss/admin-notes"))["total"]!.GetValue<int>().Should().Be(3);
    }

    [Fact]
    public async Task The_author_edits_and_deletes_their_note_and_a_superuser_may_too()
    {
        var programme = await App.CreateProgrammeAsync();
        var (_, candidate) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (superuser, _) = await App.SuperuserAsync();
        var note = await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = candidate.Id, note_text = "Draft." })).ShouldBeJsonAsync(201);
        var id = note["id"]!.GetValue<string>();

        var edited = await (await admin.PutJsonAsync($"/api/pss/admin-notes/{id}", new { note_text = "Final.", tags = new[] { "closed" }, version = 1 })).ShouldBeJsonAsync();
        edited["version"]!.GetValue<int>().Should().Be(2);
        await (await admin.PutJsonAsync($"/api/pss/admin-notes/{id}", new { note_text = "Stale.", version = 1 })).ShouldBeProblemAsync(409, "version_conflict");
        await (await superuser.PutJsonAsync($"/api/pss/admin-notes/{id}", new { note_text = "Corrected by the superuser.", version = 2 })).ShouldBeJsonAsync();

        (await superuser.DeleteAsync($"/api/pss/admin-notes/{id}", TestContext.Current.CancellationToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        await (await admin.GetAsync($"/api/pss/admin-notes/{id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task A_note_is_never_shown_to_the_candidate_it_is_about_through_any_route()
    {
        const string secret = "Staff only: discuss the withdrawal risk with the coordinator";
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        var submission = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);
        var entry = await candidate.WriteEntryAsync(fixture.Today, "low", 3);
        var note = await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = me.Id, note_text = secret, tags = new[] { "withdrawal_risk" } })).ShouldBeJsonAsync(201);

        var reachable = new[]
        {
            "/api/pss/users/me", $"/api/pss/users/{me.Id}", $"/api/pss/users/{me.Id}/profile", $"/api/pss/users/{me.Id}/intake",
            $"/api/pss/users/{me.Id}/export", $"/api/pss/users/{me.Id}/export?format=html", "/api/pss/intake/form", "/api/pss/intake/submissions",
            $"/api/pss/intake/submissions/{submission["id"]}", "/api/pss/journal", $"/api/pss/journal/{entry["id"]}", "/api/pss/journal/trends",
            "/api/pss/journal/trends?period=month",
        };
        foreach (var url in reachable)
        {
            var response = await candidate.GetAsync(url, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            ((int)response.StatusCode).Should().Be(200, "{0} is the candidate's own data: {1}", url, body);
            body.Should().NotContain(secret).And.NotContain("withdrawal_risk").And.NotContain(note["id"]!.GetValue<string>(), "{0} must not reveal staff notes", url);
        }

        foreach (var url in new[] { "/api/pss/admin-notes", $"/api/pss/admin-notes?candidate_id={me.Id}", $"/api/pss/admin-notes/{note["id"]}" })
        {
            await (await candidate.GetAsync(url, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(403, "forbidden");
        }

        var staffView = await admin.GetAsync($"/api/pss/users/{me.Id}/export", TestContext.Current.CancellationToken);
        (await staffView.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().NotContain(secret, "the candidate data export never carries staff notes, whoever asks");
    }
}
