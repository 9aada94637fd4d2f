using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed class TwoStepVerificationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private async Task<string> ChallengeAsync(TestUser user)
    {
        var body = await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password })).ShouldBeJsonAsync();
        body["status"]!.GetValue<string>().Should().Be("mfa_required");
        body["access_token"].Should().BeNull("no token before the second factor");
        return body["mfa_token"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> SecondStepAsync(string challenge, string? code = null, string? recovery = null) =>
        App.CreateClient().PostJsonAsync("/api/auth/login/mfa", new { mfa_token = challenge, code, recovery_code = recovery });

    [Fact]
    public async Task Staff_sign_in_needs_a_current_code()
    {
        var user = await App.CreateUserAsync(HavenRoles.Ndas.Clinician);
        var challenge = await ChallengeAsync(user);

        var wrong = Totp.Code(user.MfaSecret!, Totp.StepAt(fixture.Clock.GetUtcNow()) + 5);
        await (await SecondStepAsync(challenge, wrong)).ShouldBeProblemAsync(401, "invalid_mfa_code");

        var right = await (await SecondStepAsync(challenge, user.NextTotpCode(fixture.Clock))).ShouldBeJsonAsync();
        right["status"]!.GetValue<string>().Should().Be("ok");
    }

    [Fact]
    public async Task The_authenticator_secret_is_stored_encrypted()
    {
        var user = await App.CreateUserAsync(HavenRoles.Ndas.Clinician);

        var stored = await App.ScalarAsync<byte[]>("SELECT secret FROM platform.mfa_authenticators WHERE user_id = $1", user.Id);

        stored.Should().NotBeNull();
        System.Text.Encoding.ASCII.GetString(stored!).Should().NotContain(Base32.Encode(user.MfaSecret!));
        stored.AsSpan().IndexOf(user.MfaSecret).Should().Be(-1, "the raw secret bytes are not there either");
        (await App.LoginAsync(user)).AccessToken.Should().NotBeNullOrEmpty("the secret still works for signing in");
    }

    [Fact]
    public async Task A_code_is_accepted_once()
    {
        var user = await App.CreateUserAsync(HavenRoles.Lers.Approver);
        var code = user.NextTotpCode(fixture.Clock);
        await (await SecondStepAsync(await ChallengeAsync(user), code)).ShouldBeJsonAsync();

        await (await SecondStepAsync(await ChallengeAsync(user), code)).ShouldBeProblemAsync(401, "invalid_mfa_code");
    }

    [Fact]
    public async Task An_expired_challenge_is_refused()
    {
        var user = await App.CreateUserAsync(HavenRoles.Lers.Io);
        var challenge = await ChallengeAsync(user);
        fixture.Clock.Advance(TimeSpan.FromMinutes(6));

        await (await SecondStepAsync(challenge, user.NextTotpCode(fixture.Clock))).ShouldBeProblemAsync(401, "invalid_mfa_challenge");
    }

    [Fact]
    public async Task Staff_without_a_second_factor_get_a_session_that_can_only_enrol_one()
    {
        var tenant = await App.CreateTenantAsync("ndas");
        var admin = await App.CreateUserAsync(HavenRoles.Ndas.Admin, tenant.Id, withMfa: false);

        var login = await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = admin.Email, password = admin.Password })).ShouldBeJsonAsync();
        login["status"]!.GetValue<string>().Should().Be("mfa_enrolment_required");
        var restricted = App.CreateClient(login["access_token"]!.GetValue<string>());

        await (await restricted.GetAsync("/api/admin/users", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(403, "mfa_enrolment_required");
        await (await restricted.GetAsync("/api/auth/sessions", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(403, "mfa_enrolment_required");
        (await (await restricted.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["session_restricted"]!.GetValue<bool>().Should().BeTrue();

        var enrolment = await (await restricted.PostAsync("/api/auth/mfa/enrol", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var uri = enrolment["otpauth_uri"]!.GetValue<string>();
        uri.Should().StartWith("otpauth://totp/Haven:").And.Contain("secret=" + enrolment["secret"]!.GetValue<string>()).And.Contain("issuer=Haven");
        var secret = Base32.Decode(enrolment["secret"]!.GetValue<string>());
        var verified = await (await restricted.PostJsonAsync("/api/auth/mfa/verify", new { code = Totp.Code(secret, Totp.StepAt(fixture.Clock.GetUtcNow())) })).ShouldBeJsonAsync();

        verified["recovery_codes"]!.AsArray().Should().HaveCount(10);
        var full = App.CreateClient(verified["tokens"]!["access_token"]!.GetValue<string>());
        (await full.GetAsync("/api/admin/users", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await (await App.CreateClient().PostJsonAsync("/api/auth/refresh", new { refresh_token = login["refresh_token"]!.GetValue<string>() }))
            .ShouldBeProblemAsync(401, "refresh_token_reused");
    }

    [Fact]
    public async Task Enrolment_needs_a_correct_code()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var client = await App.ClientForAsync(user);
        await (await client.PostAsync("/api/auth/mfa/enrol", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        await (await client.PostJsonAsync("/api/auth/mfa/verify", new { code = "000000" })).ShouldBeProblemAsync(401, "invalid_mfa_code");

        (await (await client.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["mfa_enabled"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        var client = await App.ClientForAsync(user);
        var secret = Base32.Decode((await (await client.PostAsync("/api/auth/mfa/enrol", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["secret"]!.GetValue<string>());
        var codes = (await (await client.PostJsonAsync("/api/auth/mfa/verify", new { code = Totp.Code(secret, Totp.StepAt(fixture.Clock.GetUtcNow())) })).ShouldBeJsonAsync())["recovery_codes"]!.AsArray();
        var recovery = codes[0]!.GetValue<string>();

        (await (await SecondStepAsync(await ChallengeAsync(user), recovery: recovery.ToUpperInvariant())).ShouldBeJsonAsync())["status"]!.GetValue<string>().Should().Be("ok");

        await (await SecondStepAsync(await ChallengeAsync(user), recovery: recovery)).ShouldBeProblemAsync(401, "invalid_mfa_code");
        await (await SecondStepAsync(await ChallengeAsync(user), recovery: "aaaaa-bbbbb")).ShouldBeProblemAsync(401, "invalid_mfa_code");
    }

    [Fact]
    public async Task Staff_cannot_turn_two_step_verification_off()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Provider);
        var client = await App.ClientForAsync(user);

        var response = await client.PostJsonAsync("/api/auth/mfa/disable", new { password = user.Password, code = user.NextTotpCode(fixture.Clock) });

        await response.ShouldBeProblemAsync(409, "mfa_required_by_role");
    }

    [Fact]
    public async Task A_survivor_can_turn_it_off_with_password_and_code()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor, withMfa: true);
        var client = await App.ClientForAsync(user);
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));

        (await client.PostJsonAsync("/api/auth/mfa/disable", new { password = user.Password, code = user.NextTotpCode(fixture.Clock) }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        var login = await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password })).ShouldBeJsonAsync();
        login["status"]!.GetValue<string>().Should().Be("ok");
    }

    [Fact]
    public async Task Wrong_codes_count_towards_lockout()
    {
        var user = await App.CreateUserAsync(HavenRoles.Lers.Provider);
        var challenge = await ChallengeAsync(user);
        for (var i = 0; i < 5; i++)
        {
            await (await SecondStepAsync(challenge, "99999" + i)).ShouldBeProblemAsync(401, "invalid_mfa_code");
        }

        await (await SecondStepAsync(challenge, user.NextTotpCode(fixture.Clock))).ShouldBeProblemAsync(401, "invalid_mfa_challenge");
    }

}
