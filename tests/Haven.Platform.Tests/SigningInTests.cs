using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed class SigningInTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_survivor_signs_in_with_email_and_password_and_sees_their_profile()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);

        var tokens = await App.LoginAsync(user);
        var me = await App.CreateClient(tokens.AccessToken).GetAsync("/api/auth/me/", TestContext.Current.CancellationToken);

        var body = await me.ShouldBeJsonAsync();
        body["email"]!.GetValue<string>().Should().Be(user.Email);
        body["roles"]![0]!["role"]!.GetValue<string>().Should().Be(HavenRoles.Kintaraa.Survivor);
        body["session_restricted"]!.GetValue<bool>().Should().BeFalse();
        App.Logs.All.Should().NotContain(user.Password).And.NotContain(tokens.AccessToken).And.NotContain(tokens.RefreshToken);
    }

    [Fact]
    public async Task A_provider_token_carries_the_provider_type_for_modules_to_read()
    {
        var tenant = await App.CreateTenantAsync("kintaraa");
        var provider = await App.CreateUserAsync(HavenRoles.Kintaraa.Provider, tenant.Id, ProviderTypes.GbvRescue);

        var me = await (await (await App.ClientForAsync(provider)).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        me["roles"]![0]!["provider_type"]!.GetValue<string>().Should().Be("gbv_rescue");
        me["roles"]![0]!["tenant_name"]!.GetValue<string>().Should().Be(tenant.Name);
        me["mfa_required"]!.GetValue<bool>().Should().BeTrue();
    }
}
