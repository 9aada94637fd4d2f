using System.Text.RegularExpressions;
using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed partial class AdministeringUsersTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_clinic_admin_sees_their_clinics_users_and_not_another_clinics()
    {
        var mine = await App.CreateTenantAsync("ndas");
        var theirs = await App.CreateTenantAsync("ndas");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Ndas.Admin, mine.Id);
        var colleague = await App.CreateUserAsync(HavenRoles.Ndas.Clinician, mine.Id);
        var stranger = await App.CreateUserAsync(HavenRoles.Ndas.Clinician, theirs.Id);

        var list = await (await admin.GetAsync("/api/admin/users?page_size=100", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var ids = list["items"]!.AsArray().Select(u => u!["id"]!.GetValue<string>()).ToList();
        ids.Should().Contain(colleague.Id.ToString()).And.NotContain(stranger.Id.ToString());

        (await admin.GetAsync($"/api/admin/users/{colleague.Id}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await (await admin.GetAsync($"/api/admin/users/{stranger.Id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
        await (await admin.PostAsync($"/api/admin/users/{stranger.Id}/deactivate", null, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
        await (await admin.PostJsonAsync($"/api/admin/users/{stranger.Id}/roles", new { role = HavenRoles.Ndas.Receptionist, tenant_id = mine.Id }))
            .ShouldBeProblemAsync(404, "not_found");
        await (await admin.PostJsonAsync($"/api/admin/users/{colleague.Id}/roles", new { role = HavenRoles.Ndas.Receptionist, tenant_id = theirs.Id }))
            .ShouldBeProblemAsync(403, "role_outside_scope");
        await (await admin.PostJsonAsync($"/api/admin/users/{colleague.Id}/roles", new { role = HavenRoles.Lers.Io }))
            .ShouldBeProblemAsync(403, "role_outside_scope");

        var strangerStillWorks = await App.LoginAsync(stranger);
        (await App.CreateClient(strangerStillWorks.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Deactivating_a_user_ends_their_sessions_at_once()
    {
        var station = await App.CreateTenantAsync("lers");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Lers.SuperAdmin, station.Id);
        var officer = await App.CreateUserAsync(HavenRoles.Lers.Io, station.Id);
        var tokens = await App.LoginAsync(officer);

        var view = await (await admin.PostAsync($"/api/admin/users/{officer.Id}/deactivate", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        view["is_active"]!.GetValue<bool>().Should().BeFalse();
        await (await App.CreateClient(tokens.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "session_revoked");
        await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = officer.Email, password = officer.Password }))
            .ShouldBeProblemAsync(401, "invalid_credentials");
    }

    [Fact]
    public async Task A_user_with_roles_elsewhere_is_not_deactivated_by_one_tenants_admin()
    {
        var a = await App.CreateTenantAsync("ndas");
        var b = await App.CreateTenantAsync("ndas");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Ndas.Admin, a.Id);
        var shared = await App.CreateUserAsync(HavenRoles.Ndas.Clinician, a.Id);
        var (platform, _) = await App.SignedInClientAsync(HavenRoles.Platform.Admin);
        (await platform.PostJsonAsync($"/api/admin/users/{shared.Id}/roles", new { role = HavenRoles.Ndas.Clinician, tenant_id = b.Id })).EnsureSuccessStatusCode();

        await (await admin.PostAsync($"/api/admin/users/{shared.Id}/deactivate", null, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(409, "user_has_other_grants");
    }

    [Fact]
    public async Task Removing_a_role_makes_outstanding_tokens_stale_and_a_refresh_drops_the_role()
    {
        var org = await App.CreateTenantAsync("kintaraa");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Admin, org.Id);
        var provider = await App.CreateUserAsync(HavenRoles.Kintaraa.Provider, org.Id, ProviderTypes.Legal);
        var tokens = await App.LoginAsync(provider);
        var grant = (await (await admin.GetAsync($"/api/admin/users/{provider.Id}", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["roles"]![0]!;
        grant["provider_type"]!.GetValue<string>().Should().Be("legal");

        (await admin.DeleteAsync($"/api/admin/users/{provider.Id}/roles/{grant["id"]}", TestContext.Current.CancellationToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        await (await App.CreateClient(tokens.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "token_stale");
        var refreshed = await (await App.CreateClient().PostJsonAsync("/api/auth/refresh", new { refresh_token = tokens.RefreshToken })).ShouldBeJsonAsync();
        var me = await (await App.CreateClient(refreshed["access_token"]!.GetValue<string>()).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        me["roles"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task An_invited_provider_chooses_a_password_from_the_emailed_link()
    {
        var org = await App.CreateTenantAsync("kintaraa");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Admin, org.Id);
        var email = $"invited-{Guid.NewGuid():N}@test.haven";

        var created = await (await admin.PostJsonAsync("/api/admin/users", new { email, display_name = "Dr Invited", role = HavenRoles.Kintaraa.Provider, tenant_id = org.Id, provider_type = "healthcare" }))
            .ShouldBeJsonAsync(201);
        created["roles"]![0]!["tenant_id"]!.GetValue<string>().Should().Be(org.Id.ToString());

        var mail = await fixture.Smtp.WaitForAsync(m => m.To.Contains(email));
        var token = Uri.UnescapeDataString(TokenPattern().Match(mail.Body).Groups[1].Value);
        (await App.CreateClient().PostJsonAsync("/api/auth/invitation/accept", new { token, password = "saffron lighthouse morning 3" }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        var login = await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email, password = "saffron lighthouse morning 3" })).ShouldBeJsonAsync();
        login["status"]!.GetValue<string>().Should().Be("mfa_enrolment_required", "a provider must enrol a second factor first");
    }

    [Fact]
    public async Task Inviting_needs_a_provider_type_for_providers()
    {
        var org = await App.CreateTenantAsync("kintaraa");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Admin, org.Id);

        var problem = await (await admin.PostJsonAsync("/api/admin/users", new { email = $"x-{Guid.NewGuid():N}@test.haven", role = HavenRoles.Kintaraa.Provider, tenant_id = org.Id }))
            .ShouldBeProblemAsync(400, "validation_failed");

        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain("provider_type");
    }

    [Fact]
    public async Task An_admin_sees_their_tenants_logins_and_not_others()
    {
        var mine = await App.CreateTenantAsync("pss");
        var theirs = await App.CreateTenantAsync("pss");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Pss.Admin, mine.Id);
        var candidate = await App.CreateUserAsync(HavenRoles.Pss.Candidate, mine.Id);
        var other = await App.CreateUserAsync(HavenRoles.Pss.Candidate, theirs.Id);
        using (var phone = App.CreateClient())
        {
            phone.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1");
            await phone.PostJsonAsync("/api/auth/login", new { email = candidate.Email, password = "a wrong password" });
            (await phone.PostJsonAsync("/api/auth/login", new { email = candidate.Email, password = candidate.Password })).EnsureSuccessStatusCode();
        }

        await App.LoginAsync(other);

        var events = (await (await admin.GetAsync("/api/admin/logins?page_size=100", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["items"]!.AsArray();
        events.Select(e => e!["user_id"]!.GetValue<string>()).Should().Contain(candidate.Id.ToString()).And.NotContain(other.Id.ToString());
        var mineOnly = await App.CreateClient((await App.LoginAsync(candidate)).AccessToken).GetAsync("/api/auth/logins", TestContext.Current.CancellationToken);
        var own = (await mineOnly.ShouldBeJsonAsync())["items"]!.AsArray();
        own.Should().OnlyContain(e => e!["user_id"]!.GetValue<string>() == candidate.Id.ToString());
        var failed = own.Single(e => !e!["succeeded"]!.GetValue<bool>());
        failed!["failure_reason"]!.GetValue<string>().Should().Be("invalid_credentials");
        failed["device"]!.GetValue<string>().Should().Be("mobile");
        failed["operating_system"]!.GetValue<string>().Should().Be("iOS");
        failed["browser"]!.GetValue<string>().Should().Be("Safari");
        failed["client_address"]!.GetValue<string>().Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task The_admin_endpoints_refuse_everyone_but_user_admins()
    {
        var tenant = await App.CreateTenantAsync("lers");
        var officer = await App.CreateUserAsync(HavenRoles.Lers.Io, tenant.Id);

        await App.AuthorizationMatrix(HttpMethod.Get, "/api/admin/users").Anonymous().AllRolesExcept([.. HavenRoles.UserAdmins]).AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Post, $"/api/admin/users/{officer.Id}/deactivate")
            .Anonymous()
            .AllRolesExcept([.. HavenRoles.UserAdmins])
            .Role(HavenRoles.Ndas.Admin, expect: 404)
            .Role(HavenRoles.Lers.SuperAdmin, (await App.CreateTenantAsync("lers")).Id, expect: 404)
            .AssertAsync();
        await App.AuthorizationMatrix(HttpMethod.Post, "/api/admin/tenants", new { module = "lers", kind = "police_station", name = "Matrix station" })
            .Anonymous().AllRolesExcept(HavenRoles.Platform.Admin).AssertAsync();
    }

    [GeneratedRegex(@"\?token=(\S+)")]
    private static partial Regex TokenPattern();
}
