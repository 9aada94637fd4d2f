using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Testing;

namespace Haven.Platform.Tests;

/// <summary>
/// Identity's changes are in the tamper-evident trail, written in the same transaction as the change: who did what to
/// which account, in which tenant — never a password, an email or a token. Sign-ins are not (they stay in login events).
/// </summary>
public sealed partial class AuditingAccountChangesTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task An_administrators_changes_to_an_account_are_recorded_with_who_and_in_which_tenant()
    {
        var org = await App.CreateTenantAsync("kintaraa");
        var (admin, adminUser) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Admin, org.Id);
        var email = $"invited-{Guid.NewGuid():N}@test.haven";
        var invited = await (await admin.PostJsonAsync("/api/admin/users",
            new { email, display_name = "Dr Njeri", role = HavenRoles.Kintaraa.Provider, tenant_id = org.Id, provider_type = "legal" })).ShouldBeJsonAsync(201);
        var id = invited["id"]!.GetValue<Guid>();
        var grantId = invited["roles"]![0]!["id"]!.GetValue<Guid>();

        (await admin.PostAsync($"/api/admin/users/{id}/deactivate", null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/admin/users/{id}/deactivate", null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/admin/users/{id}/reactivate", null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/admin/users/{id}/sessions/revoke", null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await admin.DeleteAsync($"/api/admin/users/{id}/roles/{grantId}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        // Read by the tenant's own admin: every entry is in the tenant's part of the trail.
        var entries = await EntriesAboutAsync(admin, id);
        entries.Select(e => e["action"]!.GetValue<string>()).Should().Equal(
            "platform.role.granted", "platform.user.invited", "platform.user.deactivated", "platform.user.reactivated",
            "platform.user.sessions_revoked", "platform.role.revoked");
        entries.Should().OnlyContain(e => e["actor"]!["user_id"]!.GetValue<Guid>() == adminUser.Id && e["tenant_id"]!.GetValue<Guid>() == org.Id);
        Changes(entries[0]).Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            ["grant_id"] = grantId.ToString(), ["role"] = HavenRoles.Kintaraa.Provider, ["tenant_id"] = org.Id.ToString(), ["provider_type"] = "legal",
        });
        Changes(entries[2]).Should().Contain("is_active", "false");
        Changes(entries[4]).Should().Contain("reason", "admin");
        string.Join('\n', entries.Select(e => e.ToJsonString())).Should().NotContain(email).And.NotContain("Njeri", "the trail is permanent: it names accounts by id only");
    }

    [Fact]
    public async Task What_people_change_on_their_own_account_is_recorded_without_secrets()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var tokens = await App.LoginAsync(user);
        var client = App.CreateClient(tokens.AccessToken);

        var secret = Base32.Decode((await (await client.PostAsync("/api/auth/mfa/enrol", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["secret"]!.GetValue<string>());
        (await client.PostJsonAsync("/api/auth/mfa/verify", new { code = CodeAndWait(secret) })).EnsureSuccessStatusCode();
        (await client.PostJsonAsync("/api/auth/mfa/recovery-codes", new { code = CodeAndWait(secret) })).EnsureSuccessStatusCode();
        const string NewPassword = "amber harbour lantern 42";
        (await client.PostJsonAsync("/api/auth/password/change", new { current_password = user.Password, new_password = NewPassword })).EnsureSuccessStatusCode();
        (await client.PostJsonAsync("/api/auth/mfa/disable", new { password = NewPassword, code = CodeAndWait(secret) })).EnsureSuccessStatusCode();

        var entries = await EntriesAboutAsync(await PlatformAdminAsync(), user.Id);
        entries.Select(e => e["action"]!.GetValue<string>()).Should().Equal(
            "platform.user.created", "platform.role.granted", "platform.mfa.enabled", "platform.mfa.recovery_codes_replaced",
            "platform.user.password_changed", "platform.mfa.disabled");
        entries.Skip(2).Should().OnlyContain(e => e["actor"]!["user_id"]!.GetValue<Guid>() == user.Id && e["actor"]!["session_id"]!.GetValue<Guid>() == tokens.SessionId);
        var passwordChange = entries.Single(e => e["action"]!.GetValue<string>() == "platform.user.password_changed");
        passwordChange["changes"]!.AsArray().Should().ContainSingle(c => c!["field"]!.GetValue<string>() == "password")
            .Which!["redacted"]!.GetValue<bool>().Should().BeTrue();
        var everything = string.Join('\n', entries.Select(e => e.ToJsonString()));
        everything.Should().NotContain(user.Password).And.NotContain(NewPassword).And.NotContain(user.Email).And.NotContain(Base32.Encode(secret));
    }

    [Fact]
    public async Task A_recovery_code_sign_in_is_recorded_and_ordinary_sign_ins_stay_in_the_login_history()
    {
        var user = await App.CreateUserAsync(HavenRoles.Ndas.Clinician);
        var client = App.CreateClient((await App.LoginAsync(user)).AccessToken);
        var codes = (await (await client.PostJsonAsync("/api/auth/mfa/recovery-codes", new { code = user.NextTotpCode(fixture.Clock) })).ShouldBeJsonAsync())
            ["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = "not the password at all" });

        var challenge = (await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password })).ShouldBeJsonAsync())
            ["mfa_token"]!.GetValue<string>();
        var signedIn = await (await App.CreateClient().PostJsonAsync("/api/auth/login/mfa", new { mfa_token = challenge, recovery_code = codes[0] })).ShouldBeJsonAsync();

        var entries = await EntriesAboutAsync(await PlatformAdminAsync(), user.Id);
        var used = entries.Should().ContainSingle(e => e["action"]!.GetValue<string>() == "platform.mfa.recovery_code_used").Subject;
        used["actor"]!["session_id"]!.GetValue<Guid>().Should().Be(signedIn["session_id"]!.GetValue<Guid>());
        Changes(used).Should().Contain("recovery_codes_left", "9");
        entries.Select(e => e["action"]!.GetValue<string>()).Should().NotContain(a => a.Contains("login") || a.Contains("sign"),
            "sign-ins and failed attempts are not in the permanent trail");
        var logins = (await (await App.CreateClient(signedIn["access_token"]!.GetValue<string>()).GetAsync("/api/auth/logins", TestContext.Current.CancellationToken))
            .ShouldBeJsonAsync())["items"]!.AsArray();
        logins.Should().HaveCount(3, "two sign-ins and one failed attempt, in the login history");
    }

    [Fact]
    public async Task Registering_and_resetting_a_password_name_the_account_holder_as_the_actor()
    {
        var email = $"candidate-{Guid.NewGuid():N}@test.haven";
        var registered = await (await App.CreateClient().PostJsonAsync("/api/auth/register",
            new { module = "pss", role = "candidate", email, password = "granite meadow sparrow 7" })).ShouldBeJsonAsync(201);
        var id = (await (await App.CreateClient(registered["access_token"]!.GetValue<string>()).GetAsync("/api/auth/me", TestContext.Current.CancellationToken))
            .ShouldBeJsonAsync())["id"]!.GetValue<Guid>();
        (await App.CreateClient().PostJsonAsync("/api/auth/password/reset", new { email })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var token = Uri.UnescapeDataString(TokenPattern().Match((await fixture.Smtp.WaitForAsync(m => m.To.Contains(email))).Body).Groups[1].Value);
        (await App.CreateClient().PostJsonAsync("/api/auth/password/reset/confirm", new { token, new_password = "quiet orchard thunder 5" })).EnsureSuccessStatusCode();

        var entries = await EntriesAboutAsync(await PlatformAdminAsync(), id);
        entries.Select(e => e["action"]!.GetValue<string>()).Should().Equal("platform.user.registered", "platform.role.granted", "platform.user.password_reset");
        entries.Should().OnlyContain(e => e["actor"]!["user_id"]!.GetValue<Guid>() == id && e["actor"]!["type"]!.GetValue<string>() == "user");
        Changes(entries[2]).Should().Contain("sessions_ended", "1", "the session opened at registration ended with the reset");
        string.Join('\n', entries.Select(e => e.ToJsonString())).Should().NotContain(token);
    }

    [Fact]
    public async Task A_reused_refresh_token_ends_the_session_and_the_trail_says_why()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var tokens = await App.LoginAsync(user);
        (await App.CreateClient().PostJsonAsync("/api/auth/refresh", new { refresh_token = tokens.RefreshToken })).EnsureSuccessStatusCode();

        await (await App.CreateClient().PostJsonAsync("/api/auth/refresh", new { refresh_token = tokens.RefreshToken })).ShouldBeProblemAsync(401, "refresh_token_reused");

        var revoked = (await EntriesAboutAsync(await PlatformAdminAsync(), user.Id)).Should()
            .ContainSingle(e => e["action"]!.GetValue<string>() == "platform.user.sessions_revoked").Subject;
        Changes(revoked).Should().Contain("reason", "refresh_reuse").And.Contain("session_id", tokens.SessionId.ToString());
        revoked["note"]!.GetValue<string>().Should().Contain("copy");
    }

    [Fact]
    public async Task A_change_whose_audit_entry_cannot_be_written_does_not_happen()
    {
        var station = await App.CreateTenantAsync("lers");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Lers.SuperAdmin, station.Id);
        var officer = await App.CreateUserAsync(HavenRoles.Lers.Io, station.Id);
        // The chain head row is taken away (as only someone bypassing the triggers could), so every append fails.
        await App.ExecuteSqlAsync("""
            SET session_replication_role = replica;
            CREATE TABLE public.saved_head AS SELECT * FROM platform.audit_chain_head;
            DELETE FROM platform.audit_chain_head;
            """);
        HttpResponseMessage response;
        try
        {
            response = await admin.PostAsync($"/api/admin/users/{officer.Id}/deactivate", null, TestContext.Current.CancellationToken);
        }
        finally
        {
            await App.ExecuteSqlAsync("""
                SET session_replication_role = replica;
                INSERT INTO platform.audit_chain_head SELECT * FROM public.saved_head;
                DROP TABLE public.saved_head;
                """);
        }

        await response.ShouldBeProblemAsync(500, "internal_error");
        (await App.ScalarAsync<bool>("SELECT is_active FROM platform.users WHERE id = $1", officer.Id)).Should().BeTrue("the deactivation rolled back with its entry");
        (await App.LoginAsync(officer)).AccessToken.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_administrator_signs_a_user_out_everywhere_and_the_account_stays_usable()
    {
        var station = await App.CreateTenantAsync("lers");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Lers.SuperAdmin, station.Id);
        var officer = await App.CreateUserAsync(HavenRoles.Lers.Io, station.Id);
        var (phone, laptop) = (await App.LoginAsync(officer), await App.LoginAsync(officer));

        var ended = await (await admin.PostAsync($"/api/admin/users/{officer.Id}/sessions/revoke", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        ended["sessions_ended"]!.GetValue<int>().Should().Be(2);
        foreach (var session in new[] { phone, laptop })
        {
            await (await App.CreateClient(session.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "session_revoked");
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        (await App.LoginAsync(officer)).AccessToken.Should().NotBeNullOrEmpty("signing out does not deactivate");
    }

    [Fact]
    public async Task Signing_a_user_out_is_refused_to_everyone_but_their_administrators()
    {
        var station = await App.CreateTenantAsync("lers");
        var officer = await App.CreateUserAsync(HavenRoles.Lers.Io, station.Id);

        await App.AuthorizationMatrix(HttpMethod.Post, $"/api/admin/users/{officer.Id}/sessions/revoke")
            .Anonymous()
            .AllRolesExcept([.. HavenRoles.UserAdmins])
            .Role(HavenRoles.Ndas.Admin, expect: 404)
            .Role(HavenRoles.Lers.SuperAdmin, (await App.CreateTenantAsync("lers")).Id, expect: 404)
            .AssertAsync();
    }

    private async Task<HttpClient> PlatformAdminAsync() => App.CreateClient((await App.SharedUserAsync(HavenRoles.Platform.Admin)).Tokens.AccessToken);

    /// <summary>The entries about one account, oldest first, as the audit API shows them to <paramref name="reader"/>.</summary>
    private static async Task<List<JsonNode>> EntriesAboutAsync(HttpClient reader, Guid userId)
    {
        var page = await (await reader.GetAsync($"/api/platform/audit/entries?resource_type=user&resource_id={userId}&page_size=100", TestContext.Current.CancellationToken))
            .ShouldBeJsonAsync();
        return [.. page["items"]!.AsArray().Select(e => e!).Reverse()];
    }

    private static Dictionary<string, string?> Changes(JsonNode entry) =>
        entry["changes"]!.AsArray().ToDictionary(c => c!["field"]!.GetValue<string>(), c => c!["new"]?.GetValue<string>());

    /// <summary>The current code of an authenticator the test enrolled, then the clock moves on so the next one differs.</summary>
    private string CodeAndWait(byte[] secret)
    {
        var code = Totp.Code(secret, Totp.StepAt(fixture.Clock.GetUtcNow()));
        fixture.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        return code;
    }

    [GeneratedRegex(@"\?token=(\S+)")]
    private static partial Regex TokenPattern();
}
