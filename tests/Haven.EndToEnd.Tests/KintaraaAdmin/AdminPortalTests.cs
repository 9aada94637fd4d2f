using Haven.EndToEnd.Tests.Pss;
using Haven.Platform.Identity;
using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.KintaraaAdmin;

[Collection(BrowserCollection.Name)]
public sealed class AdminPortalTests(Browser browser, KintaraaAdminFixture fixture) : IClassFixture<KintaraaAdminFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Every_admin_page_loads_for_a_kintaraa_admin_is_accessible_and_reflows_on_a_tablet()
    {
        var provider = await App.ProviderAsync("counseling", verified: true);
        var (_, caseNumber) = await App.ReportAsync("shelter");
        var queued = await App.ScalarAsync<Guid>(
            "SELECT r.id FROM kintaraa.referrals r JOIN kintaraa.incidents i ON i.id = r.incident_id WHERE i.case_number = $1 AND r.provider_id IS NULL", caseNumber);
        var seq = await App.ScalarAsync<long>("SELECT max(seq) FROM platform.audit_entries WHERE action LIKE 'kintaraa.%'");
        var admin = await App.CreateUserAsync(HavenRoles.Kintaraa.Admin);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, admin);
        var page = session.Page;

        foreach (var (url, heading) in new[]
        {
            ("/kintaraa/admin", "Kintaraa administration"), ("/kintaraa/admin/providers", "Providers"),
            ($"/kintaraa/admin/providers/{provider.Id}", provider.Organisation), ("/kintaraa/admin/routing", "Routing queue"),
            ($"/kintaraa/admin/routing/{queued}", $"Assign {caseNumber}"), ("/kintaraa/admin/stats", "Statistics"),
            ("/kintaraa/admin/users", "Users and roles"), ($"/kintaraa/admin/users/{provider.User.Id}", "Test kintaraa.provider"),
            ("/kintaraa/admin/audit", "Audit trail"), ($"/kintaraa/admin/audit/{seq}", $"Audit entry {seq}"),
        })
        {
            var response = await page.GotoAsync(url);
            response!.Status.Should().Be(200, url);
            (await page.Locator("h1").First.InnerTextAsync()).Should().StartWith(heading, url);
            await session.AssertAccessibleAsync();
        }

        await page.GotoAsync("/kintaraa/admin/stats");
        // Cases over time, by type and by status always; the timing charts once a provider has answered in the period.
        var charts = await page.Locator("canvas[data-chart]").CountAsync();
        charts.Should().BeGreaterThanOrEqualTo(3);
        (await page.Locator("canvas[data-drawn='1']").CountAsync()).Should().Be(charts, "every chart is drawn");
        (await page.Locator("table").CountAsync()).Should().Be(charts, "each chart has its table");
        await page.GotoAsync("/kintaraa/admin/routing");
        (await page.Locator("main").InnerTextAsync()).Should().Contain(caseNumber).And.Contain("no provider of this type is registered");
        await page.GotoAsync("/kintaraa/admin/audit");
        (await page.GetByRole(AriaRole.Button, new() { Name = "Verify the whole chain" }).CountAsync()).Should().Be(1, "a coordinator of the whole module may check the chain");

        await page.SetViewportSizeAsync(768, 1024);
        foreach (var url in new[] { "/kintaraa/admin", "/kintaraa/admin/providers", "/kintaraa/admin/routing", "/kintaraa/admin/stats", "/kintaraa/admin/audit" })
        {
            await page.GotoAsync(url);
            await page.AssertNoHorizontalScrollAsync();
        }

        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Providers_survivors_and_other_modules_admins_are_refused_and_unknown_records_are_404()
    {
        foreach (var (role, providerType) in new[] { (HavenRoles.Kintaraa.Provider, (string?)"legal"), (HavenRoles.Kintaraa.Survivor, null), (HavenRoles.Pss.Admin, null) })
        {
            var user = await App.CreateUserAsync(role, providerType: providerType);
            await using var session = await browser.NewSessionAsync(App.BaseAddress);
            await session.SignInAsync(App, user);
            foreach (var url in new[] { "/kintaraa/admin", "/kintaraa/admin/providers", "/kintaraa/admin/routing", "/kintaraa/admin/stats", "/kintaraa/admin/users", "/kintaraa/admin/audit" })
            {
                var response = await session.Page.GotoAsync(url);
                response!.Status.Should().Be(403, $"{role} at {url}");
                (await session.Page.Locator("h1").InnerTextAsync()).Should().Be("You do not have access to this page");
            }
        }

        var admin = await App.CreateUserAsync(HavenRoles.Kintaraa.Admin);
        await using var adminSession = await browser.NewSessionAsync(App.BaseAddress);
        await adminSession.SignInAsync(App, admin);
        foreach (var url in new[] { $"/kintaraa/admin/providers/{Guid.NewGuid()}", $"/kintaraa/admin/routing/{Guid.NewGuid()}", $"/kintaraa/admin/users/{Guid.NewGuid()}", "/kintaraa/admin/audit/999999999" })
        {
            (await adminSession.Page.APIRequest.GetAsync(url)).Status.Should().Be(404, url);
        }
    }

    [Fact]
    public async Task An_admin_verifies_a_provider_with_a_plain_form_post_without_javascript()
    {
        var provider = await App.ProviderAsync("healthcare", verified: false);
        var (admin, adminUser) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Admin);
        await using var session = await browser.NewSessionAsync(App.BaseAddress, configure: o => o.JavaScriptEnabled = false);
        await session.SignInAsync(App, adminUser);
        var page = session.Page;
        await page.GotoAsync("/kintaraa/admin/providers?verified=false");
        await page.GetByRole(AriaRole.Link, new() { Name = provider.Organisation }).ClickAsync();

        await page.GetByLabel("How you checked").FillAsync("Saw the facility licence");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify provider" }).ClickAsync();

        await Expect(page.Locator(".alert--ok")).ToContainTextAsync("The provider is verified");
        page.Url.Should().EndWith($"/kintaraa/admin/providers/{provider.Id}?done=verified", "the form posts and redirects");
        (await admin.GetJsonAsync($"/api/kintaraa/providers/{provider.Id}"))["is_verified"]!.GetValue<bool>().Should().BeTrue();
        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries WHERE action = 'kintaraa.provider.verified' AND resource_id = $1 AND actor_id = $2",
            provider.Id.ToString(), adminUser.Id)).Should().Be(1);

        await page.GetByLabel("Capacity").FillAsync("9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.Locator(".alert--ok")).ToContainTextAsync("The profile is saved");
        (await admin.GetJsonAsync($"/api/kintaraa/providers/{provider.Id}"))["capacity"]!.GetValue<int>().Should().Be(9);
    }

    [Fact]
    public async Task An_admin_assigns_a_queued_referral_and_the_provider_is_offered_the_case()
    {
        var (incidentId, caseNumber) = await App.ReportAsync("legal");
        var lawyer = await App.ProviderAsync("legal", verified: true);
        var admin = await App.CreateUserAsync(HavenRoles.Kintaraa.Admin);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, admin);
        var page = session.Page;
        await page.GotoAsync("/kintaraa/admin/routing");

        await page.GetByRole(AriaRole.Link, new() { Name = $"Assign {caseNumber} Legal aid" }).ClickAsync();
        await page.GetByLabel("Provider (Legal aid)").SelectOptionAsync(lawyer.Id.ToString());
        await page.GetByLabel("Note to the provider").FillAsync("Court date on Monday");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign to this provider" }).ClickAsync();

        await Expect(page.Locator(".alert--ok")).ToContainTextAsync($"{caseNumber} was offered to the provider you chose");
        (await page.Locator("main").InnerTextAsync()).Should().NotContain($"Assign {caseNumber}");
        var cases = await lawyer.Client.GetJsonAsync("/api/kintaraa/providers/me/cases");
        cases["items"]!.AsArray().Select(c => c!["incident"]!["id"]!.GetValue<string>()).Should().Contain(incidentId.ToString());
        (await App.ScalarAsync<string>("SELECT kind FROM kintaraa.referrals WHERE incident_id = $1 AND provider_id = $2", incidentId, lawyer.Id)).Should().Be("manual");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task A_platform_admin_verifies_the_chain_and_a_tampered_entry_is_named()
    {
        var admin = await App.CreateUserAsync(HavenRoles.Platform.Admin);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, admin);
        var page = session.Page;
        await page.GotoAsync("/kintaraa/admin/audit");

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the whole chain" }).ClickAsync();
        await Expect(page.Locator("#verification-result")).ToContainTextAsync("The chain is intact");
        await session.AssertAccessibleAsync();

        var victim = await App.ScalarAsync<long>("SELECT max(seq) - 1 FROM platform.audit_entries");
        await App.ExecuteSqlAsync("SET session_replication_role = replica; UPDATE platform.audit_entries SET note = 'rewritten' WHERE seq = " + victim + "; SET session_replication_role = origin;");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the whole chain" }).ClickAsync();
        await Expect(page.Locator("#verification-result")).ToContainTextAsync($"The chain is broken at entry {victim} (altered)");
        await session.AssertCleanAsync();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
