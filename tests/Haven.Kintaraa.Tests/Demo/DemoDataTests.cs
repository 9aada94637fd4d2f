using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Server.Hosting;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa.Tests.Demo;

public sealed class DemoDataTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task Seeding_twice_adds_nothing_and_the_printed_logins_open_a_lived_in_world()
    {
        var first = await DemoData.SeedAsync(App.Services, TestContext.Current.CancellationToken);
        var counts = await CountsAsync();
        var second = await DemoData.SeedAsync(App.Services, TestContext.Current.CancellationToken);

        second.Should().BeEquivalentTo(first);
        (await CountsAsync()).Should().Be(counts);
        counts.Incidents.Should().Be(6);
        var kintaraa = first.Where(l => l.Module == KintaraaModule.ModuleName).ToList();
        kintaraa.Select(l => l.Role).Should().Contain(r => r.Contains("gbv_rescue", StringComparison.Ordinal))
            .And.Contain(r => r.Contains("police", StringComparison.Ordinal)).And.Contain(HavenRoles.Kintaraa.Admin).And.Contain(HavenRoles.Kintaraa.Survivor);

        var amina = kintaraa.First(l => l.Login.StartsWith("amina", StringComparison.Ordinal));
        var aminaClient = App.CreateClient((await App.LoginAsync(new TestUser { Id = Guid.Empty, Email = amina.Login, Password = amina.Password, Role = amina.Role })).AccessToken);
        var cases = await (await aminaClient.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        cases.Items.Select(i => i.Status).Should().BeEquivalentTo([CaseStatus.InProgress, CaseStatus.Completed, CaseStatus.Closed]);

        var receipt = kintaraa.Single(l => l.Role == "anonymous receipt").Login;
        (await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest(receipt))).ShouldBeOkAsync<ReceiptStatus>()).Status.Should().Be(CaseStatus.Assigned);

        var police = kintaraa.First(l => l.Role.Contains("police", StringComparison.Ordinal));
        var policeUser = new TestUser { Id = Guid.Empty, Email = police.Login, Password = police.Password, Role = HavenRoles.Kintaraa.Provider, MfaSecret = Base32.Decode(DemoMfa.Secret) };
        var policeClient = App.CreateClient((await App.LoginAsync(policeUser)).AccessToken);
        var work = await (await policeClient.Get("/api/kintaraa/providers/me/cases")).ShouldBeOkAsync<PageOf<AssignedCase>>();
        work.Items.Should().HaveCount(2).And.OnlyContain(c => c.Referral.Status == ReferralStatus.Pending);
        (await (await policeClient.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(2);
    }

    private Task<(int Incidents, int Providers, int Messages)> CountsAsync() => App.InScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<KintaraaDbContext>();
        return (await db.Incidents.CountAsync(), await db.Providers.CountAsync(), await db.Messages.CountAsync());
    });
}
