using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Pss.Tests;

/// <summary>
/// The seed's permission table, endpoint by endpoint, with every caller that must be refused: anonymous (401), every
/// role outside PSS and every PSS role the endpoint does not admit (403), and callers who may not know the record
/// exists — another candidate, an admin of another programme, an admin appointed to no programme (404).
/// </summary>
public sealed class PermissionMatrixTests(PermissionMatrixTests.Fixture fixture) : IClassFixture<PermissionMatrixTests.Fixture>
{
    public sealed class Fixture : PssFixture
    {
        private Task<Scenario>? _scenario;

        public Task<Scenario> ScenarioAsync() => _scenario ??= CreateAsync();

        private async Task<Scenario> CreateAsync()
        {
            var programme = await App.CreateProgrammeAsync();
            var other = await App.CreateProgrammeAsync();
            var (candidate, owner) = await App.CandidateAsync(programme.Id);
            var (admin, _) = await App.AdminAsync(programme.Id);
            var entry = await candidate.WriteEntryAsync(Today);
            var form = await candidate.GetJsonAsync("/api/pss/intake/form");
            var submission = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);
            var note = await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = owner.Id, note_text = "Check in on Monday.", tags = new[] { "follow_up" } })).ShouldBeJsonAsync(201);
            var programmeForm = await (await admin.PostJsonAsync("/api/pss/intake/forms", new { tenant_id = programme.Id, definition = IntakeAnswers.SmallForm("Programme form") })).ShouldBeJsonAsync(201);
            return new Scenario(programme.Id, other.Id, owner, Guid.Parse(entry["id"]!.GetValue<string>()), Guid.Parse(note["id"]!.GetValue<string>()),
                Guid.Parse(submission["id"]!.GetValue<string>()), Guid.Parse(programmeForm["id"]!.GetValue<string>()));
        }
    }

    public sealed record Scenario(Guid Programme, Guid OtherProgramme, TestUser Owner, Guid EntryId, Guid NoteId, Guid SubmissionId, Guid ProgrammeFormId);

    private static readonly string[] NonPss = [.. HavenRoles.All.Where(r => !r.StartsWith("pss.", StringComparison.Ordinal))];

    private HavenTestApp App => fixture.App;

    /// <summary>Refusals shared by every endpoint about one candidate's records: outsiders, other candidates, other programmes.</summary>
    private AuthorizationMatrix CandidateRecord(HttpMethod method, string url, Scenario s, object? body = null) =>
        App.AuthorizationMatrix(method, url, body)
            .Anonymous()
            .AllRolesExcept([HavenRoles.Pss.Candidate, HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser])
            .Role(HavenRoles.Pss.Candidate, s.Programme, expect: 404)
            .Role(HavenRoles.Pss.Candidate, s.OtherProgramme, expect: 404)
            .Role(HavenRoles.Pss.Candidate, expect: 404)
            .Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404)
            .Role(HavenRoles.Pss.Admin, expect: 404);

    [Fact]
    public async Task Listing_candidates_is_for_staff_only()
    {
        await App.AuthorizationMatrix(HttpMethod.Get, "/api/pss/users")
            .Anonymous().AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser).AssertAsync();
    }

    [Fact]
    public async Task The_me_overview_is_for_candidates_only()
    {
        await App.AuthorizationMatrix(HttpMethod.Get, "/api/pss/users/me")
            .Anonymous().AllRolesExcept(HavenRoles.Pss.Candidate).AssertAsync();
    }

    [Fact]
    public async Task A_candidates_overview_profile_intake_and_export_are_refused_to_everyone_but_self_programme_admins_and_superusers()
    {
        var s = await fixture.ScenarioAsync();
        foreach (var url in new[] { "", "/profile", "/intake", "/export", "/export?format=html" })
        {
            await CandidateRecord(HttpMethod.Get, $"/api/pss/users/{s.Owner.Id}{url}", s).AssertAsync();
        }
    }

    [Fact]
    public async Task Replacing_a_profile_is_refused_to_everyone_but_self_programme_admins_and_superusers_and_changes_nothing()
    {
        var s = await fixture.ScenarioAsync();
        var body = new { diagnosis = "Overwritten by an intruder", version = 1 };

        await CandidateRecord(HttpMethod.Put, $"/api/pss/users/{s.Owner.Id}/profile", s, body).AssertAsync();

        var rows = await App.QueryAsync("SELECT count(*) FROM pss.profiles WHERE user_id = $1 AND version = 1", s.Owner.Id);
        ((long)rows[0][0]!).Should().Be(1, "no refused caller changed the profile");
    }

    [Fact]
    public async Task Renaming_a_candidate_is_refused_to_everyone_but_self_programme_admins_and_superusers_and_changes_nothing()
    {
        var s = await fixture.ScenarioAsync();

        await CandidateRecord(HttpMethod.Put, $"/api/pss/users/{s.Owner.Id}", s, new { display_name = "Renamed by an intruder" }).AssertAsync();

        var rows = await App.QueryAsync("SELECT count(*) FROM platform.users WHERE id = $1 AND display_name = 'Renamed by an intruder'", s.Owner.Id);
        ((long)rows[0][0]!).Should().Be(0, "no refused caller renamed the candidate");
    }

    [Fact]
    public async Task Submitting_intake_is_for_candidates_only()
    {
        var s = await fixture.ScenarioAsync();
        await App.AuthorizationMatrix(HttpMethod.Post, "/api/pss/intake/submit", new { form_id = s.ProgrammeFormId, responses = new { } })
            .Anonymous().AllRolesExcept(HavenRoles.Pss.Candidate).AssertAsync();
    }

    [Fact]
    public async Task Intake_submissions_and_forms_are_refused_outside_the_programme()
    {
        var s = await fixture.ScenarioAsync();
        await CandidateRecord(HttpMethod.Get, $"/api/pss/intake/submissions/{s.SubmissionId}", s).AssertAsync();
        await CandidateRecord(HttpMethod.Get, $"/api/pss/intake/submissions?user_id={s.Owner.Id}", s).AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Get, $"/api/pss/intake/forms/{s.ProgrammeFormId}")
            .Anonymous()
            .AllRolesExcept(HavenRoles.Pss.Candidate, HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser)
            .Role(HavenRoles.Pss.Candidate, s.OtherProgramme, expect: 404)
            .Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404)
            .AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Get, "/api/pss/intake/form").Anonymous().AllRolesExcept(HavenRoles.Pss.Candidate, HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser).AssertAsync();
    }

    [Fact]
    public async Task Publishing_intake_forms_is_for_staff_of_the_programme()
    {
        var s = await fixture.ScenarioAsync();
        await App.AuthorizationMatrix(HttpMethod.Post, "/api/pss/intake/forms", new { tenant_id = s.Programme, definition = IntakeAnswers.SmallForm("Hijacked") })
            .Anonymous()
            .AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser)
            .Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404)
            .AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Get, "/api/pss/intake/forms").Anonymous().AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser).AssertAsync();
    }

    [Fact]
    public async Task Journal_listing_and_trends_of_a_candidate_are_refused_outside_self_and_programme_staff()
    {
        var s = await fixture.ScenarioAsync();
        await CandidateRecord(HttpMethod.Get, $"/api/pss/journal?user_id={s.Owner.Id}", s).AssertAsync();
        await CandidateRecord(HttpMethod.Get, $"/api/pss/journal/trends?user_id={s.Owner.Id}", s).AssertAsync();
    }

    [Fact]
    public async Task Writing_a_journal_entry_is_for_candidates_only()
    {
        await App.AuthorizationMatrix(HttpMethod.Post, "/api/pss/journal", new { title = "t", content = "c", mood = "okay", energy_level = 5 })
            .Anonymous().AllRolesExcept(HavenRoles.Pss.Candidate).AssertAsync();
    }

    [Fact]
    public async Task A_journal_entry_is_read_by_its_author_and_programme_staff_only()
    {
        var s = await fixture.ScenarioAsync();
        await CandidateRecord(HttpMethod.Get, $"/api/pss/journal/{s.EntryId}", s).AssertAsync();
    }

    [Fact]
    public async Task Only_the_author_changes_or_deletes_a_journal_entry()
    {
        var s = await fixture.ScenarioAsync();
        var body = new { title = "Changed", content = "Changed by someone else", mood = "low", energy_level = 2, version = 1 };
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete })
        {
            await App.AuthorizationMatrix(method, $"/api/pss/journal/{s.EntryId}", method == HttpMethod.Put ? body : null)
                .Anonymous()
                .AllRolesExcept(HavenRoles.Pss.Candidate)
                .Role(HavenRoles.Pss.Candidate, s.Programme, expect: 404)
                .Role(HavenRoles.Pss.Candidate, s.OtherProgramme, expect: 404)
                .AssertAsync();
        }

        var rows = await App.QueryAsync("SELECT version FROM pss.journal_entries WHERE id = $1", s.EntryId);
        rows.Should().ContainSingle().Which[0].Should().Be(1, "the entry is neither changed nor deleted");
    }

    [Fact]
    public async Task Admin_notes_are_for_programme_staff_and_never_for_candidates()
    {
        var s = await fixture.ScenarioAsync();
        var staffOnly = () => App.AuthorizationMatrix(HttpMethod.Get, "/api/pss/admin-notes").Anonymous().AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser);
        await staffOnly().AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Post, "/api/pss/admin-notes", new { candidate_id = s.Owner.Id, note_text = "x" })
            .Anonymous().AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser)
            .Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404)
            .Role(HavenRoles.Pss.Admin, expect: 404)
            .AssertAsync();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            await App.AuthorizationMatrix(method, $"/api/pss/admin-notes/{s.NoteId}", method == HttpMethod.Put ? new { note_text = "x", version = 1 } : null)
                .Anonymous()
                .AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser)
                .Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404)
                .Role(HavenRoles.Pss.Admin, expect: 404)
                .AssertAsync();
        }

        await App.AuthorizationMatrix(HttpMethod.Get, $"/api/pss/admin-notes?candidate_id={s.Owner.Id}")
            .Anonymous().AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser)
            .Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404)
            .AssertAsync();
    }

    [Fact]
    public async Task A_second_admin_of_the_programme_may_read_but_not_change_a_colleagues_note()
    {
        var s = await fixture.ScenarioAsync();
        // A second admin of the same programme: reads the note, may not rewrite or delete it.
        await App.AuthorizationMatrix(HttpMethod.Put, $"/api/pss/admin-notes/{s.NoteId}", new { note_text = "Rewritten", version = 1 })
            .Role(HavenRoles.Pss.Admin, s.Programme, expect: 403).AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Delete, $"/api/pss/admin-notes/{s.NoteId}")
            .Role(HavenRoles.Pss.Admin, s.Programme, expect: 403).AssertAsync();
    }

    [Fact]
    public async Task Dashboard_statistics_and_their_export_are_for_staff_only()
    {
        var s = await fixture.ScenarioAsync();
        foreach (var url in new[] { "/api/pss/dashboard/stats", "/api/pss/dashboard/stats/export" })
        {
            await App.AuthorizationMatrix(HttpMethod.Get, url).Anonymous().AllRolesExcept(HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser).AssertAsync();
            await App.AuthorizationMatrix(HttpMethod.Get, $"{url}?tenant_id={s.Programme}").Role(HavenRoles.Pss.Admin, s.OtherProgramme, expect: 404).AssertAsync();
        }
    }

    [Fact]
    public async Task Non_pss_roles_are_refused_everywhere_in_pss()
    {
        var s = await fixture.ScenarioAsync();
        NonPss.Should().Contain(HavenRoles.Platform.Admin, "even the platform administrator reads no candidate's medical data");
        foreach (var url in new[] { $"/api/pss/users/{s.Owner.Id}/profile", $"/api/pss/journal/{s.EntryId}", $"/api/pss/admin-notes/{s.NoteId}" })
        {
            var matrix = App.AuthorizationMatrix(HttpMethod.Get, url);
            foreach (var role in NonPss)
            {
                matrix.Role(role);
            }

            await matrix.AssertAsync();
        }
    }
}
