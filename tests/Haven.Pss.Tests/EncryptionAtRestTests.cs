using System.Text;
using Haven.Testing;

namespace Haven.Pss.Tests;

/// <summary>What someone with a copy of the database sees: no diagnosis, ID number, journal text or note in the clear.</summary>
public sealed class EncryptionAtRestTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task The_database_holds_no_plaintext_medical_details_journal_text_or_notes()
    {
        const string diagnosis = "Narcolepsy with cataplexy";
        const string idNumber = "8801235111088";
        const string journal = "Fell asleep in the afternoon session again";
        const string note = "Spoke to the sleep clinic about a referral";
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid(diagnosis, idNumber) })).ShouldBeJsonAsync(201);
        await candidate.WriteEntryAsync(fixture.Today, "low", 3, "Sleepy", journal);
        await (await admin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = me.Id, note_text = note })).ShouldBeJsonAsync(201);

        var stored = new List<byte[]>();
        foreach (var sql in new[]
        {
            "SELECT diagnosis, id_number, id_number_blind_index, medications, allergies, date_of_birth, phone_number, emergency_contact_name FROM pss.profiles WHERE user_id = $1",
            "SELECT responses FROM pss.intake_submissions WHERE user_id = $1",
            "SELECT title, content FROM pss.journal_entries WHERE user_id = $1",
            "SELECT note_text FROM pss.admin_notes WHERE candidate_id = $1",
        })
        {
            var rows = await App.QueryAsync(sql, me.Id);
            rows.Should().NotBeEmpty(sql);
            stored.AddRange(rows.SelectMany(r => r).Select(v => v.Should().BeOfType<byte[]>("{0} stores ciphertext", sql).Subject));
        }

        foreach (var secret in new[] { diagnosis, idNumber, journal, note, "Lamotrigine", "+27 82 555 0100", "2001-04-23", "Jo Sam" })
        {
            var plain = Encoding.UTF8.GetBytes(secret);
            stored.Where(value => Contains(value, plain)).Should().BeEmpty("'{0}' must not be stored in the clear", secret);
        }

        // The application still reads it all back.
        (await admin.GetJsonAsync($"/api/pss/users/{me.Id}/profile"))["diagnosis"]!.GetValue<string>().Should().Be(diagnosis);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public async Task Staff_find_a_candidate_by_exact_id_number_without_it_being_stored_in_the_clear()
    {
        var programme = await App.CreateProgrammeAsync();
        var other = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var (admin, _) = await App.AdminAsync(programme.Id);
        var (otherAdmin, _) = await App.AdminAsync(other.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid(idNumber: "9202204720085") })).ShouldBeJsonAsync(201);

        var found = await admin.GetJsonAsync("/api/pss/users?q=920220 4720 085");

        found["items"]!.AsArray().Should().ContainSingle().Which!["id"]!.GetValue<string>().Should().Be(me.Id.ToString());
        (await admin.GetJsonAsync("/api/pss/users?q=9202204720086"))["total"]!.GetValue<int>().Should().Be(0, "only an exact match finds anyone");
        (await otherAdmin.GetJsonAsync("/api/pss/users?q=9202204720085"))["total"]!.GetValue<int>().Should().Be(0, "another programme's admin finds nobody");
    }
}
