using Haven.Platform.Identity;
using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.Pss;

[Collection(BrowserCollection.Name)]
public sealed class CandidatePortalTests(Browser browser, PssPortalFixture fixture) : IClassFixture<PssPortalFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Every_candidate_page_is_accessible_and_works_under_the_content_security_policy()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, s.Candidate);
        var page = session.Page;

        foreach (var (url, heading) in new[]
        {
            ("/pss", "PSS"), ("/pss/me", "Hello"), ("/pss/me/profile", "My profile"), ("/pss/me/intake", "Intake form"),
            ($"/pss/me/intake/{s.SubmissionId}", "Your intake answers"), ("/pss/me/journal", "My journal"), ("/pss/me/journal/new", "New journal entry"),
            ($"/pss/me/journal/{s.EntryId}", "Change journal entry"), ("/pss/me/data", "My data"),
            ($"/api/pss/users/{s.Candidate.Id}/export?format=html", "PSS data of"),
        })
        {
            var response = await page.GotoAsync(url);
            response!.Status.Should().Be(200, url);
            (await page.Locator("h1").First.InnerTextAsync()).Should().StartWith(heading, url);
            await session.AssertAccessibleAsync();
        }

        await page.GotoAsync("/pss/me/intake");
        (await page.GetByLabel("Phone number", new() { Exact = true }).InputValueAsync()).Should().Be("+27 82 555 0100", "the form starts from the answers sent before");
        await page.GotoAsync("/pss/me/journal");
        (await page.Locator("canvas[data-chart]").GetAttributeAsync("data-drawn")).Should().Be("1", "the chart is drawn with Chart.js from the page's own script");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task A_candidate_writes_a_journal_entry_with_the_keyboard_only()
    {
        var programme = await App.CreateTenantAsync("pss");
        var candidate = await App.CreateUserAsync(HavenRoles.Pss.Candidate, programme.Id);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;
        var keyboard = page.Keyboard;

        // Sign in with the keyboard: the sign-in page puts the cursor in the email field.
        await page.GotoAsync("/pss/me");
        page.Url.Should().Contain("/account/login");
        await keyboard.TypeAsync(candidate.Email);
        await keyboard.PressAsync("Tab");
        await keyboard.TypeAsync(candidate.Password);
        await keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pss/me");

        await TabToAsync(page, "a[href='/pss/me/journal/new']");
        await AssertFocusVisibleAsync(page);
        await keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pss/me/journal/new");

        await TabToAsync(page, "#f-title");
        await keyboard.TypeAsync("Good day at the workshop");
        await keyboard.PressAsync("Tab");
        await keyboard.TypeAsync("The captions on the video made it easy to follow.");
        await keyboard.PressAsync("Tab");
        (await FocusedAsync(page)).Should().Be("f-mood", "the mood choices come next");
        await keyboard.PressAsync("ArrowRight");
        await keyboard.PressAsync("ArrowRight");
        await keyboard.PressAsync("ArrowRight");
        await keyboard.PressAsync("Tab");
        (await FocusedAsync(page)).Should().Be("f-energy_level");
        await keyboard.TypeAsync("7");
        await AssertFocusVisibleAsync(page);
        await keyboard.PressAsync("Tab");
        await AssertFocusVisibleAsync(page);
        await keyboard.PressAsync("Enter");

        await page.WaitForURLAsync("**/pss/me/journal?status=created");
        (await page.Locator(".alert[role=status]").InnerTextAsync()).Should().Contain("Your entry has been saved");
        var entry = page.Locator(".entries article").First;
        (await entry.InnerTextAsync()).Should().Contain("Good day at the workshop").And.Contain("Good").And.Contain("Energy 7 of 10");
        (await page.Locator("table").First.InnerTextAsync()).Should().Contain("4 (Good)", "the chart's figures are also in a table");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Form_errors_are_summarised_focused_and_tied_to_their_fields()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, s.Candidate);
        var page = session.Page;
        await page.GotoAsync("/pss/me/journal/new");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save entry" }).ClickAsync();

        var summary = page.Locator(".error-summary");
        (await summary.InnerTextAsync()).Should().Contain("There is a problem").And.Contain("Give the entry a title").And.Contain("Choose a mood");
        (await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('error-summary')")).Should().BeTrue("focus moves to the summary");
        var title = page.Locator("#f-title");
        (await title.GetAttributeAsync("aria-invalid")).Should().Be("true");
        var describedBy = (await title.GetAttributeAsync("aria-describedby"))!;
        (await page.Locator("#" + describedBy.Split(' ').Last()).InnerTextAsync()).Should().Contain("Give the entry a title");
        (await page.Locator("fieldset[aria-invalid='true'] legend").InnerTextAsync()).Should().Contain("How was your mood?");
        await page.Locator(".error-summary a[href='#f-title']").ClickAsync();
        (await FocusedAsync(page)).Should().Be("f-title", "each problem in the summary links to its field");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Profile_intake_and_journal_work_without_javascript()
    {
        var programme = await App.CreateTenantAsync("pss");
        var candidate = await App.CreateUserAsync(HavenRoles.Pss.Candidate, programme.Id);
        await using var session = await browser.NewSessionAsync(App.BaseAddress, configure: o => o.JavaScriptEnabled = false);
        await session.SignInAsync(App, candidate);
        var page = session.Page;

        await page.GotoAsync("/pss/me/intake");
        await page.GetByLabel("Date of birth").FillAsync("2001-04-23");
        await page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("+27 82 555 0100");
        await page.GetByLabel("Learning (for example dyslexia)").CheckAsync();
        await page.GetByLabel("Diagnosis").FillAsync("Dyslexia");
        await page.GetByLabel("Emergency contact's name").FillAsync("Jo Sam");
        await page.GetByLabel("Emergency contact's phone number").FillAsync("083 555 0200");
        await page.GetByLabel("I agree that my programme's support staff").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).ClickAsync();
        await page.WaitForURLAsync("**/pss/me/intake/*?status=sent");
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Dyslexia").And.Contain("Learning (for example dyslexia)");

        await page.GotoAsync("/pss/me/profile");
        (await page.GetByLabel("Diagnosis").InputValueAsync()).Should().Be("Dyslexia", "the intake filled in the profile");
        await page.GetByLabel("Allergies").FillAsync("Penicillin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await page.WaitForURLAsync("**/pss/me/profile?status=saved");
        (await page.GetByLabel("Allergies").InputValueAsync()).Should().Be("Penicillin");

        await page.GotoAsync("/pss/me/journal/new");
        await page.GetByLabel("Title").FillAsync("Written without scripts");
        await page.GetByLabel("What happened").FillAsync("Plain HTML forms are enough.");
        await page.GetByLabel("Okay").CheckAsync();
        await page.GetByLabel("Energy level").SelectOptionAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save entry" }).ClickAsync();
        await page.WaitForURLAsync("**/pss/me/journal?status=created");
        (await page.Locator(".entries").InnerTextAsync()).Should().Contain("Written without scripts");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Pages_reflow_at_200_percent_zoom_and_with_text_at_200_percent()
    {
        var s = await App.ScenarioAsync();
        // 200% browser zoom is a viewport half as wide in CSS pixels at twice the pixel density.
        await using var session = await browser.NewSessionAsync(App.BaseAddress, new ViewportSize { Width = 683, Height = 450 }, o => o.DeviceScaleFactor = 2);
        await session.SignInAsync(App, s.Candidate);
        var page = session.Page;

        foreach (var url in new[] { "/pss/me", "/pss/me/profile", "/pss/me/intake", "/pss/me/journal", "/pss/me/journal/new" })
        {
            await page.GotoAsync(url);
            await page.AssertNoHorizontalScrollAsync();
            await session.AssertAccessibleAsync();

            // Text-only resize (WCAG 1.4.4): the root font size doubled, as a browser's text-size setting does.
            await page.EvaluateAsync("() => { document.documentElement.style.fontSize = '200%'; }");
            await page.AssertNoHorizontalScrollAsync();
            (await page.Locator("main h1").First.IsVisibleAsync()).Should().BeTrue(url);
            var submit = page.Locator("main button[type=submit], main a.button").First;
            if (await submit.CountAsync() > 0)
            {
                await submit.ScrollIntoViewIfNeededAsync();
                (await submit.IsVisibleAsync()).Should().BeTrue("{0}: the main action stays reachable", url);
            }
        }

        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task A_long_form_can_be_kept_open_past_the_idle_time_by_choosing_to_stay()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;
        await page.Clock.InstallAsync();
        await session.SignInAsync(App, s.Candidate);
        await page.GotoAsync("/pss/me/intake");
        await page.GetByLabel("What would you like us to call you?").FillAsync("Sam");

        await page.Clock.FastForwardAsync("00:45");
        var dialog = page.GetByRole(AriaRole.Alertdialog);
        await dialog.WaitForAsync();
        await session.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Stay signed in" }).ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden });

        (await page.GetByLabel("What would you like us to call you?").InputValueAsync()).Should().Be("Sam", "staying keeps what was typed");
        page.Url.Should().EndWith("/pss/me/intake");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in_and_candidates_are_kept_out_of_staff_pages()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;

        await page.GotoAsync("/pss/me/journal");
        page.Url.Should().Contain("/account/login?returnUrl=%2Fpss%2Fme%2Fjournal");

        await session.SignInAsync(App, s.Candidate);
        await page.GotoAsync("/pss/admin");
        page.Url.Should().Contain("/account/denied");
        await page.GotoAsync($"/pss/admin/candidates/{s.Candidate.Id}");
        page.Url.Should().Contain("/account/denied");
        (await page.Locator("main").InnerTextAsync()).Should().NotContain(s.NoteText);
    }

    private static async Task<string> FocusedAsync(IPage page) => await page.EvaluateAsync<string>("() => document.activeElement.id");

    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement && document.activeElement.matches(s)", selector))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tabbing never reached {selector}.");
    }

    /// <summary>The focused element shows a focus indicator (WCAG 2.4.7): an outline or a box shadow.</summary>
    private static async Task AssertFocusVisibleAsync(IPage page)
    {
        var style = await page.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; }");
        style.Should().NotStartWith("none", "the focused element must show where focus is ({0})", style);
    }
}
