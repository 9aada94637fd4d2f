using System.Text.Json.Nodes;
using Haven.Testing;

namespace Haven.Pss.Tests;

/// <summary>Every read of a medical profile (and of other sensitive PSS data) and every change is on the audit trail.</summary>
public sealed class AuditingTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    private async Task<JsonArray> EntriesAsync(HttpClient reader, string query) =>
        (await reader.GetJsonAsync($"/api/platform/audit/entries?page_size=100&{query}"))["items"]!.AsArray();

    [Fact]
    public async Task Every_read_of_a_medical_profile_is_recorded_with_who_read_it()
    {
        var programme = await App.CreateProgrammeAsync();
        var other = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, adminUser) = await App.AdminAsync(programme.Id);
        var (outsider, _) = await App.AdminAsync(other.Id);
        var (superuser, _) = await App.SuperuserAsync();

        await candidate.GetJsonAsync($"/api/pss/users/{me.Id}/profile");
        await admin.GetJsonAsync($"/api/pss/users/{me.Id}/profile");
        await admin.GetJsonAsync($"/api/pss/users/{me.Id}/profile");
        await (await outsider.GetAsync($"/api/pss/users/{me.Id}/profile", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");

        var reads = await EntriesAsync(superuser, $"action=pss.medical_profile.viewed&resource_id={me.Id}");
        reads.Select(e => e!["actor"]!["user_id"]!.GetValue<string>()).Should().BeEquivalentTo([me.Id.ToString(), adminUser.Id.ToString(), adminUser.Id.ToString()],
            "each read is recorded, the refused one is not");
        reads.Should().OnlyContain(e => e!["tenant_id"]!.GetValue<string>() == programme.Id.ToString());
        (await EntriesAsync(admin, $"action=pss.medical_profile.viewed&resource_id={me.Id}")).Should().HaveCount(3, "the programme's admin reads its own trail");
    }

    [Fact]
    public async Task Changes_are_recorded_without_their_sensitive_values_and_refused_changes_not_at_all()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (superuser, _) = await App.SuperuserAsync();

        await (await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", new { diagnosis = "Crohn's disease", version = 0 })).ShouldBeJsonAsync();
        await (await candidate.PutJsonAsync($"/api/pss/users/{me.Id}/profile", new { diagnosis = "Crohn's disease", phone_number = "not a phone", version = 1 }))
            .ShouldBeProblemAsync(400, "validation_failed");

        var updates = await EntriesAsync(superuser, $"action=pss.medical_profile.updated&resource_id={me.Id}");
        updates.Should().ContainSingle("the refused change wrote nothing");
        updates[0]!.ToJsonString().Should().NotContain("Crohn");
        updates[0]!["changes"]!.AsArray().Should().Contain(c => c!["field"]!.GetValue<string>() == "diagnosis" && c["redacted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Staff_reading_a_journal_and_anyone_exporting_data_are_recorded_but_a_candidate_reading_their_own_journal_is_not()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, adminUser) = await App.AdminAsync(programme.Id);
        var (superuser, _) = await App.SuperuserAsync();
        var entry = await candidate.WriteEntryAsync(fixture.Today, "okay", 5);

        await candidate.GetJsonAsync("/api/pss/journal");
        await admin.GetJsonAsync($"/api/pss/journal/{entry["id"]}");
        await (await candidate.GetAsync($"/api/pss/users/{me.Id}/export", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        (await EntriesAsync(superuser, $"action=pss.journal.viewed&resource_id={me.Id}")).Select(e => e!["actor"]!["user_id"]!.GetValue<string>())
            .Should().Equal(adminUser.Id.ToString());
        (await EntriesAsync(superuser, $"action=pss.candidate_data.exported&resource_id={me.Id}")).Should().ContainSingle();
        (await EntriesAsync(superuser, $"action=pss.journal_entry.created&resource_id={entry["id"]}")).Should().ContainSingle();
    }
}
