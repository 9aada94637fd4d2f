using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Server.Hosting;
using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class DemoDataTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Demo_data_seeds_once_and_shows_a_cohort_with_candidates_to_check_in_with()
    {
        var first = await DemoData.SeedAsync(App.Services, TestContext.Current.CancellationToken);
        var counts = await CountsAsync();
        var second = await DemoData.SeedAsync(App.Services, TestContext.Current.CancellationToken);

        second.Should().BeEquivalentTo(first, "seeding twice prints the same logins");
        (await CountsAsync()).Should().Equal(counts, "seeding twice adds nothing");
        var pss = first.Where(l => l.Module == "pss").ToList();
        pss.Select(l => l.Role).Should().BeEquivalentTo([HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser, HavenRoles.Pss.Candidate]);
        pss.Where(l => l.Role != HavenRoles.Pss.Candidate).Should().OnlyContain(l => l.Note!.Contains(DemoMfa.Secret), "staff sign in with the demo second factor");

        var adminLogin = pss.Single(l => l.Role == HavenRoles.Pss.Admin);
        var admin = new TestUser { Id = Guid.Empty, Email = adminLogin.Login, Password = adminLogin.Password, Role = adminLogin.Role, MfaSecret = Base32.Decode(DemoMfa.Secret) };
        using var asAdmin = await App.ClientForAsync(admin);
        var stats = await asAdmin.GetJsonAsync("/api/pss/dashboard/stats");
        stats["candidates"]!["total"]!.GetValue<int>().Should().Be(6);
        stats["candidates"]!["intake_completed"]!.GetValue<int>().Should().Be(4);
        stats["flagged"]!.AsArray().ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!["reasons"]![0]!.GetValue<string>())
            .Should().Equal(new Dictionary<string, string> { ["Aisha Patel"] = "energy_drop", ["Sipho Dlamini"] = "low_mood_streak" });

        var candidateLogin = pss.Single(l => l.Role == HavenRoles.Pss.Candidate);
        var candidate = new TestUser { Id = Guid.Empty, Email = candidateLogin.Login, Password = candidateLogin.Password, Role = candidateLogin.Role };
        using var asCandidate = await App.ClientForAsync(candidate);
        (await asCandidate.GetJsonAsync("/api/pss/journal"))["total"]!.GetValue<int>().Should().BeGreaterThan(10);
        (await asCandidate.GetJsonAsync("/api/pss/users/me"))["has_completed_intake"]!.GetValue<bool>().Should().BeTrue();
    }

    private async Task<long[]> CountsAsync()
    {
        var rows = await App.QueryAsync(
            "SELECT (SELECT count(*) FROM pss.profiles), (SELECT count(*) FROM pss.intake_submissions), (SELECT count(*) FROM pss.journal_entries), (SELECT count(*) FROM pss.admin_notes)");
        return [.. rows[0].Select(v => (long)v!)];
    }
}
