using System.Diagnostics;
using Haven.EndToEnd.Tests.Pss;
using Haven.Platform.Realtime;
using Haven.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Haven.EndToEnd.Tests.Kintaraa;

[Collection(BrowserCollection.Name)]
public sealed class ProviderDashboardTests(Browser browser, KintaraaPortalFixture fixture) : IClassFixture<KintaraaPortalFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_report_appears_on_the_right_providers_open_dashboard_within_a_second_without_moving_the_page()
    {
        var world = new KintaraaWorld(App);
        var counselor = await world.ProviderAsync("counseling", "Hope Counseling");
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var survivor = await world.SurvivorAsync();
        // One report elsewhere first, so the figure is the steady state and not the app's first-request compilation.
        await new KintaraaWorld(App).ReportAsync(survivor, "counseling");
        await using var counselorSession = await browser.NewSessionAsync(App.BaseAddress);
        await using var clinicSession = await browser.NewSessionAsync(App.BaseAddress);
        await counselorSession.SignInAsync(App, counselor.User);
        await clinicSession.SignInAsync(App, clinic.User);
        var page = counselorSession.Page;
        await page.GotoAsync("/kintaraa");
        await clinicSession.Page.GotoAsync("/kintaraa");
        await Expect(page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live", "on");
        await Expect(clinicSession.Page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live", "on");
        var casesTop = (await page.Locator("#cases-heading").BoundingBoxAsync())!.Y;
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var watch = Stopwatch.StartNew();
        var incidentId = await world.ReportAsync(survivor, "counseling");
        var reported = watch.ElapsedMilliseconds;
        await page.Locator("#offers li.offer").First.WaitForAsync(new() { Timeout = 5000 });
        watch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"report sent to row visible on the dashboard: {watch.ElapsedMilliseconds} ms (report answered after {reported} ms)");

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), "a new referral must reach the provider's open dashboard within a second");
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).Should().BeTrue("the referral arrived without a reload");
        var row = page.Locator("#offers li.offer").First;
        (await row.GetAttributeAsync("class")).Should().Contain("is-new");
        await Expect(row.Locator(".offer__new")).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("Counseling");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("New referral");
        await Expect(page.Locator("#offer-count")).ToHaveTextAsync("1");
        (await page.Locator("#cases-heading").BoundingBoxAsync())!.Y.Should().Be(casesTop, "the live list keeps its reserved height");
        (await row.Locator("a").First.GetAttributeAsync("href")).Should().Be($"/kintaraa/cases/{incidentId}");
        await clinicSession.Page.WaitForTimeoutAsync(300);
        (await clinicSession.Page.Locator("#offers li.offer").CountAsync()).Should().Be(0, "the case asked for counseling, not medical care");
        await counselorSession.AssertAccessibleAsync();
        await counselorSession.AssertCleanAsync();
        await clinicSession.AssertCleanAsync();
    }

    [Fact]
    public async Task The_provider_accepts_chats_and_the_survivors_app_receives_the_message_with_typing_and_read_receipts()
    {
        var world = new KintaraaWorld(App);
        var counselor = await world.ProviderAsync("counseling", "Hope Counseling");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "counseling");
        var app = await fixture.Clients.ConnectAsync(App.BaseAddress, PlatformHub.Path, survivor.AccessToken, "message.received", "message.read", "referral.updated");
        var group = $"kintaraa-case:{incidentId}";
        await app.SubscribeAsync(null, group);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, counselor.User);
        var page = session.Page;
        await page.GotoAsync("/kintaraa");
        await Expect(page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live", "on");

        // Keyboard only: focus the offer's Accept button and press Enter.
        await page.Locator("#offers li.offer a").First.FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        (await page.EvaluateAsync<string>("() => document.activeElement.textContent")).Should().StartWith("Accept");
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle")).Should().Be("solid", "the focused control shows a focus ring");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync($"**/kintaraa/cases/{incidentId}?done=accepted");
        await Expect(page.Locator(".alert--ok").First).ToContainTextAsync("You accepted the referral");
        await Expect(page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live", "on");
        await page.GetByLabel("Message to the survivor").FillAsync("Hello, I am Amina from Hope Counseling. When can we talk?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        var received = await app.WaitForAsync(m => m.Event == "message.received" && m.Payload["sender_role"]?.GetValue<string>() == "provider");
        received.Payload["incident_id"]!.GetValue<string>().Should().Be(incidentId.ToString());
        var conversation = await (await survivor.Client.GetAsync($"/api/kintaraa/incidents/{incidentId}/messages", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        conversation["items"]!.AsArray().Select(m => m!["body"]!.GetValue<string>()).Should().Contain("Hello, I am Amina from Hope Counseling. When can we talk?");
        await Expect(page.Locator("#chat-log")).ToContainTextAsync("When can we talk?");
        await Expect(page.Locator("#chat-form textarea")).ToHaveValueAsync("");

        await app.InvokeAsync("typing", group, true);
        await Expect(page.Locator("#chat-typing")).ToContainTextAsync("typing");
        await (await survivor.Client.PutAsync($"/api/kintaraa/incidents/{incidentId}/messages/read", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        await Expect(page.Locator(".chat__msg--mine .chat__receipt").Last).ToContainTextAsync("Read by");
        await (await survivor.Client.PostJsonAsync($"/api/kintaraa/incidents/{incidentId}/messages", new { id = Guid.NewGuid(), body = "Tomorrow at ten works for me." })).ShouldBeJsonAsync(201);
        await Expect(page.Locator("#chat-log")).ToContainTextAsync("Tomorrow at ten works for me.");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("New message");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Filters_and_search_narrow_the_case_list_in_place()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var urgent = await world.ReportWithPriorityAsync(await world.SurvivorAsync(), "critical", "medical");
        var routine = await world.ReportWithPriorityAsync(await world.SurvivorAsync(), "low", "medical");
        var routineNumber = await App.ScalarAsync<string>("SELECT case_number FROM kintaraa.incidents WHERE id = $1", routine);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, clinic.User);
        var page = session.Page;
        await page.GotoAsync("/kintaraa");
        await Expect(page.Locator("#case-rows tr")).ToHaveCountAsync(2);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        await page.GetByLabel("Priority").SelectOptionAsync("critical");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("priority=critical", StringComparison.Ordinal));
        await Expect(page.Locator("#case-rows tr")).ToHaveCountAsync(1);
        (await page.Locator("#case-rows a").GetAttributeAsync("href")).Should().Be($"/kintaraa/cases/{urgent}");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("1 case found");
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).Should().BeTrue("htmx replaced the list without reloading the page");

        await page.GetByLabel("Priority").SelectOptionAsync("");
        await page.GetByLabel("Case number or survivor handle").FillAsync(routineNumber!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("q=", StringComparison.Ordinal));
        await Expect(page.Locator("#case-rows a")).ToHaveTextAsync([routineNumber!]);
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task A_provider_declines_with_a_reason_and_the_forms_work_without_javascript()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "medical");
        await using var session = await browser.NewSessionAsync(App.BaseAddress, configure: o => o.JavaScriptEnabled = false);
        await session.SignInAsync(App, clinic.User);
        var page = session.Page;
        await page.GotoAsync("/kintaraa");
        await page.Locator("#offers summary").First.ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Decline referral" }).ClickAsync();
        await Expect(page.Locator(".alert--error").First).ToContainTextAsync("Choose why you cannot take the case");
        await page.GetByLabel("Why can you not take it?").SelectOptionAsync("at_capacity");
        await page.GetByLabel("Reason for the coordinator").FillAsync("Our clinic is full this week");
        await page.GetByRole(AriaRole.Button, new() { Name = "Decline referral" }).ClickAsync();

        await Expect(page.Locator(".alert--ok").First).ToContainTextAsync("You declined the referral");
        (await page.Locator("#offers li.offer").CountAsync()).Should().Be(0);
        (await App.ScalarAsync<string>("SELECT decline_code FROM kintaraa.referrals WHERE incident_id = $1 AND provider_id = $2", incidentId, clinic.Id))
            .Should().Be("at_capacity");

        await page.GotoAsync("/kintaraa/availability");
        await page.GetByLabel("Capacity").FillAsync("4");
        await page.GetByLabel("Saturday start").FillAsync("09:00");
        await page.GetByLabel("Saturday end").FillAsync("13:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save availability" }).ClickAsync();
        await Expect(page.Locator(".alert--ok").First).ToContainTextAsync("saved");
        await Expect(page.GetByLabel("Capacity")).ToHaveValueAsync("4");
        await Expect(page.GetByLabel("Saturday start")).ToHaveValueAsync("09:00");
        (await App.ScalarAsync<string>("SELECT phone FROM kintaraa.providers WHERE id = $1", clinic.Id)).Should().Be("+254700000100", "saving availability keeps the rest of the profile");
        await session.AssertCleanAsync();
    }
}
