using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Platform.Tenancy;
using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.Pss;

/// <summary>One app per PSS browser test class; the idle timeout is short so the "stay signed in" test runs quickly.</summary>
public sealed class PssPortalFixture : HavenAppFixture
{
    protected override void Configure(HavenTestAppOptions options)
    {
        options.Settings["Haven:Portal:IdleTimeoutSeconds"] = "60";
        options.Settings["Haven:Portal:IdleWarningSeconds"] = "20";
    }
}

/// <summary>A programme with a candidate who has written entries, sent the intake form and has a staff note, and its admin.</summary>
public sealed record PssScenario(Tenant Programme, TestUser Candidate, TestUser Admin, Guid EntryId, Guid SubmissionId, Guid NoteId, string NoteText);

public static class PssPortal
{
    public const string NoteText = "Staff only: arrange a quiet desk before the assessment week";

    /// <summary>Signs the browser in as <paramref name="user"/> through the real API and hands it the portal cookies.</summary>
    public static async Task SignInAsync(this BrowserSession session, HavenTestApp app, TestUser user)
    {
        var tokens = await app.LoginAsync(user);
        var url = app.BaseAddress.ToString();
        await session.Context.AddCookiesAsync(
        [
            new Cookie { Name = PortalSignIn.AccessCookie, Value = tokens.AccessToken, Url = url, HttpOnly = true, SameSite = SameSiteAttribute.Strict },
            new Cookie { Name = PortalSignIn.RefreshCookie, Value = tokens.RefreshToken, Url = url, HttpOnly = true, SameSite = SameSiteAttribute.Strict },
        ]);
    }

    public static async Task<PssScenario> ScenarioAsync(this HavenTestApp app)
    {
        var programme = await app.CreateTenantAsync("pss", TenantKinds.TrainingProgramme);
        var candidate = await app.CreateUserAsync(HavenRoles.Pss.Candidate, programme.Id);
        var admin = await app.CreateUserAsync(HavenRoles.Pss.Admin, programme.Id);
        using var asCandidate = await app.ClientForAsync(candidate);
        using var asAdmin = await app.ClientForAsync(admin);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Guid entryId = default;
        foreach (var (back, mood, energy) in new[] { (9, "good", 7), (6, "okay", 6), (3, "low", 4), (2, "very_low", 3), (0, "low", 3) })
        {
            var entry = await (await asCandidate.PostJsonAsync("/api/pss/journal", new
            {
                date = today.AddDays(-back), title = $"Day {back} days ago", content = "The venue was loud.\nI left early.", mood, energy_level = energy,
            })).ShouldBeJsonAsync(201);
            entryId = Guid.Parse(entry["id"]!.GetValue<string>());
        }

        var form = await (await asCandidate.GetAsync("/api/pss/intake/form")).ShouldBeJsonAsync();
        var submission = await (await asCandidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = Answers() })).ShouldBeJsonAsync(201);
        var note = await (await asAdmin.PostJsonAsync("/api/pss/admin-notes", new { candidate_id = candidate.Id, note_text = NoteText, tags = new[] { "accommodation" } }))
            .ShouldBeJsonAsync(201);
        return new PssScenario(programme, candidate, admin, entryId, Id(submission), Id(note), NoteText);
    }

    public static Dictionary<string, object?> Answers() => new()
    {
        ["date_of_birth"] = "2001-04-23",
        ["phone_number"] = "+27 82 555 0100",
        ["disability_types"] = new[] { "hearing" },
        ["diagnosis"] = "Bilateral hearing loss",
        ["support_needs"] = new[] { "sign_language" },
        ["emergency_contact_name"] = "Jo Sam",
        ["emergency_contact_phone"] = "+27 83 555 0200",
        ["consent"] = true,
    };

    /// <summary>No part of the page is wider than the window: nothing to scroll sideways to (WCAG 1.4.10 reflow).</summary>
    public static async Task AssertNoHorizontalScrollAsync(this IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        overflow.Should().BeLessThanOrEqualTo(0, "{0} must reflow without horizontal scrolling", page.Url);
    }

    private static Guid Id(JsonNode node) => Guid.Parse(node["id"]!.GetValue<string>());
}
