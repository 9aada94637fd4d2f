using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed class RefreshingTokensTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private Task<HttpResponseMessage> RefreshAsync(string token, string field = "refresh_token") =>
        App.CreateClient().PostJsonAsync("/api/auth/refresh/", new Dictionary<string, string> { [field] = token });

    [Fact]
    public async Task Refreshing_rotates_the_refresh_token_and_keeps_the_session()
    {
        var first = await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Pss.Candidate));

        var body = await (await RefreshAsync(first.RefreshToken)).ShouldBeJsonAsync();

        var second = IdentityTestExtensions.Tokens(body);
        second.RefreshToken.Should().NotBe(first.RefreshToken);
        second.SessionId.Should().Be(first.SessionId);
        body["expires_in"]!.GetValue<int>().Should().Be(15 * 60);
        body["refresh_expires_in"]!.GetValue<int>().Should().Be(7 * 24 * 3600);
        (await App.CreateClient(second.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_seed_clients_refresh_field_name_works_too()
    {
        var first = await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Pss.Candidate));

        await (await RefreshAsync(first.RefreshToken, "refresh")).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Reusing_a_spent_refresh_token_ends_the_whole_session()
    {
        var first = await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor));
        var second = IdentityTestExtensions.Tokens(await (await RefreshAsync(first.RefreshToken)).ShouldBeJsonAsync());

        // A thief replays the copy they stole.
        await (await RefreshAsync(first.RefreshToken)).ShouldBeProblemAsync(401, "refresh_token_reused");

        await (await RefreshAsync(second.RefreshToken)).ShouldBeProblemAsync(401, "invalid_refresh_token");
        await (await App.CreateClient(second.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken))
            .ShouldBeProblemAsync(401, "session_revoked");
    }

    [Fact]
    public async Task Two_refreshes_racing_with_one_token_never_both_succeed()
    {
        var first = await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor));

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RefreshAsync(first.RefreshToken)));

        responses.Count(r => r.IsSuccessStatusCode).Should().BeLessThanOrEqualTo(1);
    }

    [Fact]
    public async Task A_refresh_token_expires_after_seven_days()
    {
        var first = await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor));
        fixture.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        await (await RefreshAsync(first.RefreshToken)).ShouldBeProblemAsync(401, "invalid_refresh_token");
    }

    [Fact]
    public async Task An_unknown_refresh_token_is_refused()
    {
        await (await RefreshAsync("not-a-token")).ShouldBeProblemAsync(401, "invalid_refresh_token");
    }

    [Fact]
    public async Task Logout_with_only_the_refresh_token_ends_the_session()
    {
        var tokens = await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor));

        var logout = await App.CreateClient().PostJsonAsync("/api/auth/logout/", new { refresh = tokens.RefreshToken });

        logout.StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        await (await RefreshAsync(tokens.RefreshToken)).ShouldBeProblemAsync(401, "invalid_refresh_token");
    }
}
