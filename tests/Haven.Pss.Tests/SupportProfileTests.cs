using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class SupportProfileTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    private static object Profile(int version, string diagnosis = "Autism spectrum condition", string phone = "+27 82 555 0101") => new
    {
        date_of_birth = "2002-06-15",
        phone_number = phone,
        address = "4 Bree Street, Cape Town",
        id_number = "0206155800081",
        diagnosis,
        medications = "None",
        allergies = "Peanuts",
        doctor_name = "Dr A. Naidoo",
        doctor_phone = "021 555 0123",
        medical_notes = "Prefers written instructions.",
        emergency_contact_name = "Mary Smith",
        emergency_contact_phone = "083 555 0456",
        emergency_contact_relationship = "Mother",
        version,
    };

    [Fact]
    public async Task A_new_candidate_has_an_empty_profile_they_can_fill_in_and_read_back()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);

        var empty = await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile");
        empty["version"]!.GetValue<int>().Should().Be(0);
        empty["diagnosis"].Should().BeNull();
        empty["has_completed_intake"]!.GetValue<bool>().Should().BeFalse();

        var saved = await (await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", Profile(0))).ShouldBeJsonAsync();
        saved["version"]!.GetValue<int>().Should().Be(1);

        var read = await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile");
        read["diagnosis"]!.GetValue<string>().Should().Be("Autism spectrum condition");
        read["date_of_birth"]!.GetValue<string>().Should().Be("2002-06-15");
        read["emergency_contact_relationship"]!.GetValue<string>().Should().Be("Mother");
    }

    [Fact]
    public async Task A_candidate_and_their_programme_admin_change_the_name_staff_see_and_the_change_is_audited_without_the_name()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);

        var renamed = await (await candidate.PutJsonAsync($"/api/pss/users/{me.Id}", new { display_name = "  Thandi M.  " })).ShouldBeJsonAsync();
        var listed = await admin.GetJsonAsync($"/api/pss/users?q=Thandi");
        var cleared = await (await admin.PutJsonAsync($"/api/pss/users/{me.Id}", new { display_name = "" })).ShouldBeJsonAsync();
        var tooLong = await candidate.PutJsonAsync($"/api/pss/users/{me.Id}", new { display_name = new string('x', 201) });

        renamed["display_name"]!.GetValue<string>().Should().Be("Thandi M.");
        renamed["name"]!.GetValue<string>().Should().Be("Thandi M.");
        listed["items"]!.AsArray().Should().ContainSingle().Which!["id"]!.GetValue<string>().Should().Be(me.Id.ToString());
        cleared["display_name"].Should().BeNull();
        cleared["name"]!.GetValue<string>().Should().Be(me.Email, "without a name the email is shown");
        await tooLong.ShouldBeProblemAsync(400, "validation_failed");
        var audit = await App.QueryAsync("SELECT count(*), bool_and(changes::text NOT LIKE '%Thandi%') FROM platform.audit_entries WHERE action = 'platform.user.renamed' AND resource_id = $1", me.Id.ToString());
        ((long)audit[0][0]!).Should().Be(2, "two real changes, each audited");
        ((bool)audit[0][1]!).Should().BeTrue("the trail never keeps the name itself");
    }

    [Fact]
    public async Task The_programme_admin_and_a_superuser_read_and_update_a_candidates_profile()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (superuser, _) = await App.SuperuserAsync();
        await (await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", Profile(0))).ShouldBeJsonAsync();

        (await admin.GetJsonAsync($"/api/pss/users/{me.Id}/profile"))["allergies"]!.GetValue<string>().Should().Be("Peanuts");
        await (await admin.PutJsonAsync($"/api/pss/users/{me.Id}/profile", Profile(1, "Updated by staff after a meeting"))).ShouldBeJsonAsync();
        (await superuser.GetJsonAsync($"/api/pss/users/{me.Id}/profile"))["diagnosis"]!.GetValue<string>().Should().Be("Updated by staff after a meeting");
    }

    [Fact]
    public async Task Saving_over_someone_elses_change_is_refused_and_changes_nothing()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        await (await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", Profile(0))).ShouldBeJsonAsync();
        await (await admin.PutJsonAsync($"/api/pss/users/{me.Id}/profile", Profile(1, "The admin's edit"))).ShouldBeJsonAsync();

        var stale = await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", Profile(1, "The candidate's edit from an old page"));

        var problem = await stale.ShouldBeProblemAsync(409, "version_conflict");
        problem["current_version"]!.GetValue<int>().Should().Be(2);
        (await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile"))["diagnosis"]!.GetValue<string>().Should().Be("The admin's edit");
    }

    [Fact]
    public async Task Invalid_values_are_named_field_by_field_and_nothing_is_saved()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);

        var response = await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", new
        {
            date_of_birth = "2099-01-01",
            phone_number = "call me",
            id_number = "<script>",
            diagnosis = new string('x', 4001),
            version = 0,
        });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["date_of_birth", "phone_number", "id_number", "diagnosis"]);
        (await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile"))["version"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task A_profile_update_without_a_version_is_refused()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);

        var response = await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", new { diagnosis = "x" });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().ContainsKey("version").Should().BeTrue();
    }

    [Fact]
    public async Task Staff_find_candidates_by_name_or_email_and_only_in_their_programme()
    {
        var programme = await App.CreateProgrammeAsync();
        var other = await App.CreateProgrammeAsync();
        var (_, mine) = await App.CandidateAsync(programme.Id);
        var (_, theirs) = await App.CandidateAsync(other.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (superuser, _) = await App.SuperuserAsync();

        var all = await admin.GetJsonAsync("/api/pss/users?page_size=100");
        all["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Should().Equal(mine.Id.ToString());

        var byEmail = await admin.GetJsonAsync($"/api/pss/users?q={mine.Email[..12].ToUpperInvariant()}");
        byEmail["total"]!.GetValue<int>().Should().Be(1);
        (await admin.GetJsonAsync($"/api/pss/users?q={theirs.Email[..12]}"))["total"]!.GetValue<int>().Should().Be(0, "another programme's candidate is not found");
        (await superuser.GetJsonAsync($"/api/pss/users?q={theirs.Email[..12]}"))["total"]!.GetValue<int>().Should().Be(1);
        (await admin.GetJsonAsync($"/api/pss/users?tenant_id={other.Id}"))["total"]!.GetValue<int>().Should().Be(0);
        (await admin.GetJsonAsync("/api/pss/users?q=%25"))["total"]!.GetValue<int>().Should().Be(0, "a percent sign is searched for, not a wildcard");
    }
}
