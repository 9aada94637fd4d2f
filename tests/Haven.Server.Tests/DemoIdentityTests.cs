using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Server.Hosting;
using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class DemoIdentityTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    [Fact]
    public async Task The_printed_demo_admin_login_works_with_the_printed_totp_secret()
    {
        var first = await DemoData.SeedAsync(fixture.App.Services, TestContext.Current.CancellationToken);
        var second = await DemoData.SeedAsync(fixture.App.Services, TestContext.Current.CancellationToken);
        var admin = first.Single(l => l.Role == HavenRoles.Platform.Admin);
        second.Should().BeEquivalentTo(first, "seeding twice adds nothing and prints the same logins");
        admin.Note.Should().Contain(DemoMfa.Secret);

        var client = fixture.App.CreateClient();
        var login = await (await client.PostJsonAsync("/api/auth/login", new { email = admin.Login, password = admin.Password })).ShouldBeJsonAsync();
        var code = Totp.Code(Base32.Decode(DemoMfa.Secret), Totp.StepAt(DateTimeOffset.UtcNow));
        var tokens = await (await client.PostJsonAsync("/api/auth/login/mfa", new { mfa_token = login["mfa_token"]!.GetValue<string>(), code })).ShouldBeJsonAsync();

        var tenants = await (await fixture.App.CreateClient(tokens["access_token"]!.GetValue<string>()).GetAsync("/api/admin/tenants", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        tenants.AsArray().Select(t => t!["kind"]!.GetValue<string>()).Should().Contain(["police_station", "provider_company", "ngo", "clinic", "training_programme"]);
    }
}
