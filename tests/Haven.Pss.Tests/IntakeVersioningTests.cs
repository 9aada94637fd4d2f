using System.Text.Json.Nodes;
using Haven.Testing;

namespace Haven.Pss.Tests;

/// <summary>
/// Admins change a programme's intake form by publishing a new version; every submission keeps the version it answered,
/// so old submissions read exactly as they were written, and nobody submits against a form that has changed.
/// </summary>
public sealed class IntakeVersioningTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Submitting_the_default_form_fills_in_the_profile_and_completes_intake()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        form["version"]!.GetValue<int>().Should().Be(1);
        form["tenant_id"].Should().BeNull("the programme has not published its own form");

        var submission = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);

        submission["form"]!["version"]!.GetValue<int>().Should().Be(1);
        var profile = await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile");
        profile["has_completed_intake"]!.GetValue<bool>().Should().BeTrue();
        profile["diagnosis"]!.GetValue<string>().Should().Be("Epilepsy, well controlled");
        profile["id_number"]!.GetValue<string>().Should().Be("9001015009087");
        profile["emergency_contact_name"]!.GetValue<string>().Should().Be("Jo Sam");
        (await candidate.GetJsonAsync("/api/pss/users/me"))["has_completed_intake"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Answers_are_checked_against_the_form_question_by_question()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        var answers = IntakeAnswers.Valid();
        answers.Remove("emergency_contact_name");
        answers["consent"] = false;
        answers["disability_types"] = new[] { "telepathy" };
        answers["date_of_birth"] = "23/04/2001";
        answers["favourite_colour"] = "blue";

        var response = await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = answers });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo([
            "responses.emergency_contact_name", "responses.consent", "responses.disability_types", "responses.date_of_birth", "responses.favourite_colour"]);
        (await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile"))["has_completed_intake"]!.GetValue<bool>().Should().BeFalse("nothing was saved");
        (await candidate.GetJsonAsync("/api/pss/intake/submissions")).AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_new_version_applies_to_new_submissions_while_old_ones_stay_readable_with_their_questions()
    {
        var programme = await App.CreateProgrammeAsync();
        var other = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (elsewhere, _) = await App.CandidateAsync(other.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var v1 = await candidate.GetJsonAsync("/api/pss/intake/form");
        var first = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = v1["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);

        var published = await (await admin.PostJsonAsync("/api/pss/intake/forms", new { definition = IntakeAnswers.SmallForm("Cohort form", withShoeSize: true) })).ShouldBeJsonAsync(201);
        published["version"]!.GetValue<int>().Should().Be(1, "the programme's own forms are numbered from 1");
        published["tenant_id"]!.GetValue<string>().Should().Be(programme.Id.ToString());

        var current = await candidate.GetJsonAsync("/api/pss/intake/form");
        current["id"]!.GetValue<string>().Should().Be(published["id"]!.GetValue<string>());
        (await elsewhere.GetJsonAsync("/api/pss/intake/form"))["id"]!.GetValue<string>().Should().Be(v1["id"]!.GetValue<string>(), "another programme keeps the default form");

        var late = await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = v1["id"], responses = IntakeAnswers.Valid() });
        var outdated = await late.ShouldBeProblemAsync(409, "form_version_outdated");
        outdated["current_form_id"]!.GetValue<string>().Should().Be(published["id"]!.GetValue<string>());

        var missingNew = await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = published["id"], responses = new { start_week = "week_1", consent = true } });
        (await missingNew.ShouldBeProblemAsync(400, "validation_failed"))["errors"]!.AsObject().Select(e => e.Key).Should().Equal("responses.shoe_size");
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new
        {
            form_id = published["id"],
            responses = new { diagnosis = "Epilepsy", start_week = "week_2", consent = true, shoe_size = 41 },
        })).ShouldBeJsonAsync(201);

        var old = await candidate.GetJsonAsync($"/api/pss/intake/submissions/{first["id"]}");
        old["form"]!["id"]!.GetValue<string>().Should().Be(v1["id"]!.GetValue<string>());
        old["form"]!["definition"]!["fields"]!.AsArray().Select(f => f!["key"]!.GetValue<string>()).Should().Contain("emergency_contact_name");
        old["responses"]!["emergency_contact_name"]!.GetValue<string>().Should().Be("Jo Sam");
        old["form"]!["is_current"]!.GetValue<bool>().Should().BeFalse("the programme answers its own form now");
        var newer = await (await admin.GetAsync($"/api/pss/intake/submissions/{second["id"]}", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        newer["form"]!["is_current"]!.GetValue<bool>().Should().BeTrue();
        newer["responses"]!["shoe_size"]!.GetValue<decimal>().Should().Be(41);

        var list = await admin.GetJsonAsync($"/api/pss/intake/submissions?user_id={me.Id}");
        list.AsArray().Select(s => s!["form_version"]!.GetValue<int>()).Should().Equal(1, 1);
        list.AsArray().Select(s => s!["form_tenant_id"]?.GetValue<string>()).Should().Equal(programme.Id.ToString(), null);
    }

    [Fact]
    public async Task A_form_definition_that_would_not_work_is_refused_with_its_problems()
    {
        var programme = await App.CreateProgrammeAsync();
        var (admin, _) = await App.AdminAsync(programme.Id);

        var response = await admin.PostJsonAsync("/api/pss/intake/forms", new
        {
            definition = new
            {
                title = "",
                fields = new object[]
                {
                    new { key = "Bad Key", label = "x", type = "text" },
                    new { key = "pick", label = "Pick one", type = "choice" },
                    new { key = "dob", label = "Born", type = "text", maps_to = "date_of_birth" },
                    new { key = "pick", label = "Again", type = "sketch" },
                },
            },
        });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo([
            "definition.title", "definition.fields[0].key", "definition.fields[1].options", "definition.fields[2].maps_to",
            "definition.fields[3].key", "definition.fields[3].type"]);
        (await admin.GetJsonAsync("/api/pss/intake/forms")).AsArray().Should().OnlyContain(f => f!["tenant_id"] == null, "nothing was published");
    }

    [Fact]
    public async Task Retrying_a_submission_with_the_same_id_does_not_duplicate_it()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, _) = await App.CandidateAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        var id = Guid.NewGuid();

        await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { id, form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);
        var again = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { id, form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(200);

        again["id"]!.GetValue<string>().Should().Be(id.ToString());
        (await candidate.GetJsonAsync("/api/pss/intake/submissions")).AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Old_submissions_stay_readable_after_the_default_form_changes_too()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, _) = await App.CandidateAsync(programme.Id);
        var (superuser, _) = await App.SuperuserAsync();
        var v1 = await candidate.GetJsonAsync("/api/pss/intake/form");
        var first = await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = v1["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);

        var v2 = await (await superuser.PostJsonAsync("/api/pss/intake/forms", new { definition = IntakeAnswers.SmallForm("Default form, shorter") })).ShouldBeJsonAsync(201);
        try
        {
            v2["tenant_id"].Should().BeNull();
            v2["version"]!.GetValue<int>().Should().Be(2);
            var old = await candidate.GetJsonAsync($"/api/pss/intake/submissions/{first["id"]}");
            old["form"]!["version"]!.GetValue<int>().Should().Be(1);
            old["form"]!["is_current"]!.GetValue<bool>().Should().BeFalse();
            JsonNode.DeepEquals(old["responses"], JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(IntakeAnswers.Valid()))).Should().BeTrue();
        }
        finally
        {
            // The default form is shared by every test class's programmes in this app: put version 1 back on top.
            await App.ExecuteAsync("DELETE FROM pss.intake_forms WHERE id = $1", Guid.Parse(v2["id"]!.GetValue<string>()));
        }
    }
}
