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
    }
}
