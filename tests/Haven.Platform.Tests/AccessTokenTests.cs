using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Sessions;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Tests;

/// <summary>What the server does with access tokens that are forged, altered, expired or revoked, on every carrier.</summary>
public sealed class AccessTokenTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private async Task<TestTokens> SignedInSurvivorAsync() => await App.LoginAsync(await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor));

    private async Task<HttpResponseMessage> MeAsync(string token) => await App.CreateClient(token).GetAsync("/api/auth/me", TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_valid_token_is_accepted()
    {
        var tokens = await SignedInSurvivorAsync();

        (await MeAsync(tokens.AccessToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_with_an_altered_payload_is_refused()
    {
        var parts = (await SignedInSurvivorAsync()).AccessToken.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[2]));
        // Grant oneself a platform admin role: the signature no longer matches.
        var forged = payload.Replace("\"rol\":[", "\"rol\":[\"platform.admin\",", StringComparison.Ordinal);
        forged.Should().NotBe(payload);
        parts[2] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged));

        await (await MeAsync(string.Join('.', parts))).ShouldBeProblemAsync(401, "invalid_token");
    }

    [Fact]
    public async Task A_token_with_an_altered_signature_is_refused()
    {
        var parts = (await SignedInSurvivorAsync()).AccessToken.Split('.');
        var mac = Base64Url.DecodeFromChars(parts[3]);
        mac[0] ^= 1;
        parts[3] = Base64Url.EncodeToString(mac);

        await (await MeAsync(string.Join('.', parts))).ShouldBeProblemAsync(401, "invalid_token");
    }

    [Fact]
    public async Task A_token_naming_an_unknown_key_is_refused()
    {
        var parts = (await SignedInSurvivorAsync()).AccessToken.Split('.');
        parts[1] = "k2";

        await (await MeAsync(string.Join('.', parts))).ShouldBeProblemAsync(401, "invalid_token");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var parts = (await SignedInSurvivorAsync()).AccessToken.Split('.');
        var signed = $"{parts[0]}.{parts[1]}.{parts[2]}";
        var forged = signed + "." + Base64Url.EncodeToString(HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.ASCII.GetBytes(signed)));

        await (await MeAsync(forged)).ShouldBeProblemAsync(401, "invalid_token");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    public async Task A_jwt_with_any_algorithm_header_is_refused(string alg)
    {
        var tokens = await SignedInSurvivorAsync();
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(tokens.AccessToken.Split('.')[2]));
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}"));
        var jwt = $"{header}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.";

        await (await MeAsync(jwt)).ShouldBeProblemAsync(401, "invalid_token");
    }

    [Fact]
    public async Task A_sign_in_challenge_cannot_be_used_as_an_access_token()
    {
        var staff = await App.CreateUserAsync(HavenRoles.Lers.Io);
        var login = await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = staff.Email, password = staff.Password });
        var challenge = (await login.ShouldBeJsonAsync())["mfa_token"]!.GetValue<string>();

        await (await MeAsync(challenge)).ShouldBeProblemAsync(401, "invalid_token");
    }

    [Fact]
    public async Task A_token_expires_after_fifteen_minutes()
    {
        var tokens = await SignedInSurvivorAsync();
        fixture.Clock.Advance(TimeSpan.FromMinutes(14));
        (await MeAsync(tokens.AccessToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        fixture.Clock.Advance(TimeSpan.FromMinutes(1));

        var response = await MeAsync(tokens.AccessToken);
        await response.ShouldBeProblemAsync(401, "token_expired");
        response.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token");
    }

    [Fact]
    public async Task Logout_revokes_the_access_token_at_once_on_every_carrier()
    {
        var tokens = await SignedInSurvivorAsync();
        var client = App.CreateClient(tokens.AccessToken);
        (await client.GetAsync($"/hubs/probe?access_token={tokens.AccessToken}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        (await client.PostAsync("/api/auth/logout/", null, TestContext.Current.CancellationToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        await (await MeAsync(tokens.AccessToken)).ShouldBeProblemAsync(401, "session_revoked");
        await (await App.CreateClient().GetAsync($"/hubs/probe?access_token={tokens.AccessToken}", TestContext.Current.CancellationToken))
            .ShouldBeProblemAsync(401, "session_revoked");
        using var cookie = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        cookie.Headers.Add("Cookie", $"{PortalSignIn.AccessCookie}={tokens.AccessToken}");
        await (await App.CreateClient().SendAsync(cookie, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "session_revoked");
        var refresh = await App.CreateClient().PostJsonAsync("/api/auth/refresh", new { refresh_token = tokens.RefreshToken });
        await refresh.ShouldBeProblemAsync(401, "invalid_refresh_token");
    }

    [Fact]
    public async Task A_session_revoked_by_another_instance_stops_working_within_the_cache_bound()
    {
        var tokens = await SignedInSurvivorAsync();
        (await MeAsync(tokens.AccessToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "the session state is now cached");
        // Another instance revokes it: only the database changes, this instance's cache does not hear of it.
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var revoke = new NpgsqlCommand("UPDATE platform.sessions SET revoked_at = now(), revoked_reason = 'user' WHERE id = $1", connection);
            revoke.Parameters.Add(new() { Value = tokens.SessionId });
            await revoke.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(9));
        (await MeAsync(tokens.AccessToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "within 10 seconds the cached state may still be used");

        fixture.Clock.Advance(TimeSpan.FromSeconds(2));

        await (await MeAsync(tokens.AccessToken)).ShouldBeProblemAsync(401, "session_revoked");
    }

    [Fact]
    public async Task The_query_string_carries_a_token_only_for_hubs()
    {
        var tokens = await SignedInSurvivorAsync();

        var hub = await App.CreateClient().GetAsync($"/hubs/probe?access_token={tokens.AccessToken}", TestContext.Current.CancellationToken);
        var api = await App.CreateClient().GetAsync($"/api/auth/me?access_token={tokens.AccessToken}", TestContext.Current.CancellationToken);

        (await hub.ShouldBeJsonAsync())["user_id"].Should().NotBeNull();
        await api.ShouldBeProblemAsync(401, "unauthenticated");
    }

    [Fact]
    public async Task An_expired_portal_cookie_is_renewed_from_the_refresh_cookie()
    {
        var tokens = await SignedInSurvivorAsync();
        fixture.Clock.Advance(TimeSpan.FromMinutes(16));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Add("Cookie", $"{PortalSignIn.AccessCookie}={tokens.AccessToken}; {PortalSignIn.RefreshCookie}={tokens.RefreshToken}");

        var response = await App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        (await response.ShouldBeJsonAsync())["session_id"]!.GetValue<string>().Should().Be(tokens.SessionId.ToString());
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        cookies.Should().Contain(c => c.StartsWith(PortalSignIn.AccessCookie + "=", StringComparison.Ordinal) && c.Contains("httponly") && c.Contains("samesite=strict"));
        cookies.Should().Contain(c => c.StartsWith(PortalSignIn.RefreshCookie + "=", StringComparison.Ordinal) && !c.Contains(tokens.RefreshToken));
    }

    [Fact]
    public async Task The_token_is_the_same_for_the_header_the_hub_and_the_cookie()
    {
        var tokens = await SignedInSurvivorAsync();
        using var cookie = new HttpRequestMessage(HttpMethod.Get, "/hubs/probe");
        cookie.Headers.Add("Cookie", $"{PortalSignIn.AccessCookie}={tokens.AccessToken}");

        var viaHeader = await (await App.CreateClient(tokens.AccessToken).GetAsync("/hubs/probe", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var viaQuery = await (await App.CreateClient().GetAsync($"/hubs/probe?access_token={tokens.AccessToken}", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var viaCookie = await (await App.CreateClient().SendAsync(cookie, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        viaHeader["user_id"]!.ToString().Should().Be(viaQuery["user_id"]!.ToString()).And.Be(viaCookie["user_id"]!.ToString());
    }

    [Fact]
    public async Task The_portal_cookie_opens_a_hub_only_from_a_page_of_the_same_origin()
    {
        var tokens = await SignedInSurvivorAsync();
        HttpRequestMessage FromOrigin(string? origin, string? query = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/hubs/probe" + query);
            request.Headers.Add("Cookie", $"{PortalSignIn.AccessCookie}={tokens.AccessToken}");
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            return request;
        }

        var client = App.CreateClient();
        var same = App.BaseAddress.GetLeftPart(UriPartial.Authority);
        using var sameOrigin = FromOrigin(same);
        using var otherOrigin = FromOrigin("https://evil.example");
        using var otherWithToken = FromOrigin("https://evil.example", $"?access_token={tokens.AccessToken}");

        (await client.SendAsync(sameOrigin, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await (await client.SendAsync(otherOrigin, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "unauthenticated");
        (await client.SendAsync(otherWithToken, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_session_cache_forgets_a_session_this_instance_revokes()
    {
        var tokens = await SignedInSurvivorAsync();
        (await MeAsync(tokens.AccessToken)).EnsureSuccessStatusCode();

        await App.InScopeAsync(sp => sp.GetRequiredService<SessionService>().RevokeAsync(tokens.SessionId, RevocationReasons.User, CancellationToken.None));

        await (await MeAsync(tokens.AccessToken)).ShouldBeProblemAsync(401, "session_revoked");
    }
}
