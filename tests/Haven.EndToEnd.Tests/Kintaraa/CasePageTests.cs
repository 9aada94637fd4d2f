using Haven.EndToEnd.Tests.Pss;
using Haven.Platform.Identity;
using Haven.Platform.Tenancy;
using Haven.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Haven.EndToEnd.Tests.Kintaraa;

[Collection(BrowserCollection.Name)]
public sealed class CasePageTests(Browser browser, KintaraaPortalFixture fixture) : IClassFixture<KintaraaPortalFixture>
{
    private const string SessionNote = "Session 1: she described panic attacks since the assault; safety plan agreed";

    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Police_working_the_same_case_never_see_the_counselors_session_notes()
    {
        var world = new KintaraaWorld(App);
        var counselor = await world.ProviderAsync("counseling", "Hope Counseling");
        var police = await world.ProviderAsync("police", "Riverside Police Post");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "counseling", "police");
        await KintaraaWorld.AcceptAsync(counselor, incidentId);
        await KintaraaWorld.AcceptAsync(police, incidentId);

        await using (var session = await browser.NewSessionAsync(App.BaseAddress))
        {
            await session.SignInAsync(App, counselor.User);
            var page = session.Page;
            await page.GotoAsync($"/kintaraa/cases/{incidentId}");
            await page.GetByLabel("Kind of note").SelectOptionAsync("session");
            await page.GetByLabel("New note").FillAsync(SessionNote);
            await page.GetByLabel("Share with the survivor").UncheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
            await Expect(page.Locator("#note-list")).ToContainTextAsync(SessionNote);
            await session.AssertCleanAsync();
        }

        await using (var session = await browser.NewSessionAsync(App.BaseAddress))
        {
            await session.SignInAsync(App, police.User);
            var page = session.Page;
            await page.GotoAsync($"/kintaraa/cases/{incidentId}");
            await Expect(page.Locator("h2#panel-heading")).ToHaveTextAsync("Investigation");
            (await page.GetByLabel("Kind of note").Locator("option").AllInnerTextsAsync()).Should().BeEquivalentTo(["Investigation", "General"]);
            await page.GetByLabel("New note").FillAsync("Statement taken at the post; OB 12/11/2026");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
            await Expect(page.Locator("#note-list")).ToContainTextAsync("Statement taken");
            (await page.ContentAsync()).Should().NotContain("panic attacks", "a counselor's session notes never reach police");
            var notes = await (await police.Client.GetAsync($"/api/kintaraa/incidents/{incidentId}/notes", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
            notes.AsArray().Select(n => n!["kind"]!.GetValue<string>()).Should().NotContain("session");
            await session.AssertAccessibleAsync();
            await session.AssertCleanAsync();
        }
    }

    [Fact]
    public async Task Status_changes_follow_the_case_lifecycle_and_an_illegal_one_is_explained()
    {
        var world = new KintaraaWorld(App);
        var lawyer = await world.ProviderAsync("legal", "Justice Aid Clinic");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "legal");
        await KintaraaWorld.AcceptAsync(lawyer, incidentId);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, lawyer.User);
        var page = session.Page;
        await page.GotoAsync($"/kintaraa/cases/{incidentId}");
        await Expect(page.Locator("#appointments-heading")).ToHaveTextAsync("Court dates and meetings");
        await Expect(page.Locator("#case-status")).ToHaveTextAsync("In progress");
        await Expect(page.Locator("#history")).ToContainTextAsync("accepted the referral");

        // A stale page offering a move the lifecycle does not allow: the server refuses and says why.
        await page.EvaluateAsync("() => { const o = document.createElement('option'); o.value = 'new'; o.textContent = 'New'; document.querySelector('#status-status').append(o); }");
        await page.GetByLabel("New status").SelectOptionAsync("new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await Expect(page.Locator("#status .alert--error")).ToContainTextAsync("cannot");
        (await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('role')")).Should().Be("alert", "focus moves to the error summary");

        await page.GetByLabel("New status").SelectOptionAsync("completed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await page.WaitForURLAsync("**/kintaraa?done=completed");
        await Expect(page.Locator(".alert--ok").First).ToContainTextAsync("The case is now completed");
        (await page.Locator("#case-rows a").CountAsync()).Should().Be(0, "a completed case leaves the provider's list");
        (await App.ScalarAsync<string>("SELECT status FROM kintaraa.incidents WHERE id = $1", incidentId)).Should().Be("completed");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Every_provider_page_is_accessible_on_a_laptop_and_a_tablet()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var survivor = await world.SurvivorAsync();
        var working = await world.ReportAsync(survivor, "medical");
        await KintaraaWorld.AcceptAsync(clinic, working);
        await (await survivor.Client.PostJsonAsync($"/api/kintaraa/incidents/{working}/messages", new { id = Guid.NewGuid(), body = "Thank you for taking my case." })).ShouldBeJsonAsync(201);
        var offered = await world.ReportAsync(await world.SurvivorAsync(), "medical");
        using (var upload = new MultipartFormDataContent())
        {
            var png = new ByteArrayContent(OnePixelPng);
            png.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            upload.Add(png, "file", "bruise.png");
            var response = await survivor.Client.PostAsync($"/api/kintaraa/incidents/{working}/evidence?description=Photo%20of%20the%20bruise", upload, TestContext.Current.CancellationToken);
            await response.ShouldBeJsonAsync(201);
        }

        var tokens = await App.LoginAsync(clinic.User);
        foreach (var viewport in new[] { new ViewportSize { Width = 1280, Height = 800 }, new ViewportSize { Width = 820, Height = 1180 } })
        {
            await using var session = await browser.NewSessionAsync(App.BaseAddress, viewport);
            await session.UseTokensAsync(App, tokens);
            foreach (var (url, heading) in new[] { ("/kintaraa", "My cases"), ($"/kintaraa/cases/{working}", "KIN-"), ($"/kintaraa/cases/{offered}", "KIN-"), ("/kintaraa/availability", "My availability") })
            {
                var response = await session.Page.GotoAsync(url);
                response!.Status.Should().Be(200, url);
                (await session.Page.Locator("h1").InnerTextAsync()).Should().StartWith(heading, url);
                await session.AssertAccessibleAsync();
                await session.Page.AssertNoHorizontalScrollAsync();
            }

            await session.Page.GotoAsync($"/kintaraa/cases/{working}");
            var preview = session.Page.Locator("img.evidence__preview");
            await Expect(preview).ToHaveAttributeAsync("alt", "Preview of bruise.png");
            (await preview.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))")).Should().Be(1, "the preview shows the decrypted image");
            await Expect(session.Page.Locator("#evidence")).ToContainTextAsync("intact");
            await session.AssertCleanAsync();
        }

        var custody = await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.custody_entries WHERE action IN ('viewed', 'downloaded')");
        custody.Should().BeGreaterThan(0, "opening the preview is entered in the chain of custody");
    }

    private static readonly byte[] OnePixelPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Only_the_providers_a_case_was_referred_to_reach_it_and_other_roles_are_refused()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var police = await world.ProviderAsync("police", "Riverside Police Post");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "medical");
        await KintaraaWorld.AcceptAsync(clinic, incidentId);

        await using (var session = await browser.NewSessionAsync(App.BaseAddress))
        {
            await session.SignInAsync(App, police.User);
            (await session.Page.GotoAsync($"/kintaraa/cases/{incidentId}"))!.Status.Should().Be(404, "another provider's case does not exist for police");
            (await session.Page.GotoAsync($"/kintaraa/cases/{Guid.NewGuid()}"))!.Status.Should().Be(404);
            (await session.Page.GotoAsync($"/kintaraa/cases/{incidentId}?handler=messages"))!.Status.Should().Be(404);

            // Every form of the case page, posted with a valid antiforgery token by a provider the case was not referred to.
            await session.Page.GotoAsync("/kintaraa");
            var csrf = await session.Page.Locator("meta[name=csrf-token]").GetAttributeAsync("content");
            foreach (var (handler, form) in new (string, Dictionary<string, object>)[]
            {
                ("message", new() { ["body"] = "hello" }), ("status", new() { ["status"] = "closed", ["reason"] = "not mine" }),
                ("note", new() { ["kind"] = "investigation", ["body"] = "note" }), ("read", new()),
                ("appointment", new() { ["kind"] = "appointment", ["title"] = "Statement", ["starts_at"] = "2030-01-01T10:00" }),
            })
            {
                var data = session.Context.APIRequest.CreateFormData();
                foreach (var (key, value) in form)
                {
                    data.Set(key, value.ToString()!);
                }

                var response = await session.Context.APIRequest.PostAsync($"/kintaraa/cases/{incidentId}?handler={handler}",
                    new() { Form = data, Headers = new Dictionary<string, string> { ["X-CSRF-TOKEN"] = csrf! }, MaxRedirects = 0 });
                response.Status.Should().Be(404, "police posting {0} to another provider's case", handler);
            }

            var referralId = await App.ScalarAsync<Guid>("SELECT id FROM kintaraa.referrals WHERE incident_id = $1", incidentId);
            var accept = session.Context.APIRequest.CreateFormData();
            accept.Set("referral_id", referralId.ToString());
            var answer = await session.Context.APIRequest.PostAsync("/kintaraa?handler=accept",
                new() { Form = accept, Headers = new Dictionary<string, string> { ["X-CSRF-TOKEN"] = csrf! }, MaxRedirects = 0 });
            (await answer.TextAsync()).Should().Contain("no longer waiting for your answer");
            (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.case_notes WHERE incident_id = $1", incidentId)).Should().Be(0);
            (await App.ScalarAsync<string>("SELECT status FROM kintaraa.incidents WHERE id = $1", incidentId)).Should().Be("in_progress");
        }

        var programme = await App.CreateTenantAsync("pss", TenantKinds.TrainingProgramme);
        foreach (var role in new[] { HavenRoles.Kintaraa.Survivor, HavenRoles.Pss.Candidate, HavenRoles.Pss.Admin })
        {
            var user = role == HavenRoles.Kintaraa.Survivor ? survivor.User : await App.CreateUserAsync(role, programme.Id);
            await using var session = await browser.NewSessionAsync(App.BaseAddress);
            await session.SignInAsync(App, user);
            foreach (var url in new[] { "/kintaraa", $"/kintaraa/cases/{incidentId}", "/kintaraa/availability" })
            {
                await session.Page.GotoAsync(url);
                session.Page.Url.Should().Contain("/account/denied", $"{role} may not open {url}");
            }
        }

        await using (var session = await browser.NewSessionAsync(App.BaseAddress))
        {
            (await session.Page.GotoAsync("/kintaraa"))!.Url.Should().Contain("/account/login?returnUrl=%2Fkintaraa");
        }
    }
}
