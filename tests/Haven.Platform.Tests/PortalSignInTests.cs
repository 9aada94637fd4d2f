using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed class PortalSignInTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private static string CookieHeader(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

    [Fact]
    public async Task A_portal_sign_in_sets_strict_http_only_cookies_that_authenticate_and_sign_out_revokes_them()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);

        var signIn = await App.CreateClient().PostJsonAsync("/probe/portal/sign-in", new { email = user.Email, password = user.Password });

        (await signIn.ShouldBeJsonAsync())["signed_in"]!.GetValue<bool>().Should().BeTrue();
        signIn.Headers.GetValues("Set-Cookie").Should().OnlyContain(c => c.Contains("httponly") && c.Contains("samesite=strict") && c.Contains("path=/"));
        var cookies = CookieHeader(signIn);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", cookies);
        (await (await App.CreateClient().SendAsync(me, TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["email"]!.GetValue<string>().Should().Be(user.Email);

        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/probe/portal/sign-out");
        signOut.Headers.Add("Cookie", cookies);
        (await App.CreateClient().SendAsync(signOut, TestContext.Current.CancellationToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        again.Headers.Add("Cookie", cookies);
        await (await App.CreateClient().SendAsync(again, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "session_revoked");
    }

    [Fact]
    public async Task A_portal_sign_in_of_staff_asks_for_the_second_factor_and_sets_no_cookie()
    {
        var user = await App.CreateUserAsync(HavenRoles.Ndas.Receptionist);

        var signIn = await App.CreateClient().PostJsonAsync("/probe/portal/sign-in", new { email = user.Email, password = user.Password });

        var body = await signIn.ShouldBeJsonAsync();
        body["signed_in"]!.GetValue<bool>().Should().BeFalse();
        body["mfa_challenge"]!.GetValue<string>().Should().StartWith("hv1.");
        signIn.Headers.Contains("Set-Cookie").Should().BeFalse();
    }
}
