using Haven.Platform.Identity;
using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.Pss;

[Collection(BrowserCollection.Name)]
public sealed class AdminPortalTests(Browser browser, PssPortalFixture fixture) : IClassFixture<PssPortalFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Every_staff_page_is_accessible_and_works_under_the_content_security_policy()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, s.Admin);
        var page = session.Page;

        foreach (var (url, heading) in new[]
        {
            ("/pss/admin", "Candidates"), ($"/pss/admin/candidates/{s.Candidate.Id}", "Test pss.candidate"),
            ($"/pss/admin/candidates/{s.Candidate.Id}/profile", "Edit the support profile"), ($"/pss/admin/candidates/{s.Candidate.Id}/journal", "Journal of"),
            ($"/pss/admin/candidates/{s.Candidate.Id}/intake/{s.SubmissionId}", "Intake answers"), ($"/pss/admin/notes/{s.NoteId}", "Change note"),
            ("/pss/admin/stats", "Cohort statistics"), ("/pss/admin/intake", "Intake form"),
        })
        {
            var response = await page.GotoAsync(url);
            response!.Status.Should().Be(200, url);
            (await page.Locator("h1").First.InnerTextAsync()).Should().StartWith(heading, url);
            await session.AssertAccessibleAsync();
        }

        await page.GotoAsync("/pss/admin/stats");
        (await page.Locator("canvas[data-drawn='1']").CountAsync()).Should().Be(2, "both charts are drawn");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Staff_search_candidates_and_the_results_update_in_place()
    {
        var s = await App.ScenarioAsync();
        var other = await App.CreateUserAsync(HavenRoles.Pss.Candidate, s.Programme.Id);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, s.Admin);
        var page = session.Page;
        await page.GotoAsync("/pss/admin");
        (await page.Locator("#candidate-results tbody tr").CountAsync()).Should().Be(2);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        await page.GetByLabel("Name, email or ID number").FillAsync(other.Email[..14]);

        await page.WaitForURLAsync(url => url.Contains("q=", StringComparison.Ordinal));
        await page.Locator("#candidate-results tbody tr").First.WaitForAsync();
        await Expect(page.Locator("#candidate-results tbody tr")).ToHaveCountAsync(1);
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).Should().BeTrue("htmx replaced the results without reloading the page");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("1 candidate");
        (await page.Locator("#candidate-results").InnerTextAsync()).Should().Contain(other.Email);
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task A_note_added_by_staff_appears_at_once_and_never_on_any_candidate_page()
    {
        var s = await App.ScenarioAsync();
        const string secret = "Discussed the risk of dropping out; coordinator informed";
        await using (var staff = await browser.NewSessionAsync(App.BaseAddress))
        {
            await staff.SignInAsync(App, s.Admin);
            var page = staff.Page;
            await page.GotoAsync($"/pss/admin/candidates/{s.Candidate.Id}");
            (await page.Locator(".alert--warn").InnerTextAsync()).Should().Contain("low-mood entries in a row", "the candidate is flagged for a check-in");
            await page.EvaluateAsync("() => { window.__sameDocument = true; }");

            await page.GetByLabel("New note").FillAsync(secret);
            await page.GetByLabel("Tags").FillAsync("Dropout risk, follow up");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();

            await Expect(page.Locator("#notes")).ToContainTextAsync(secret);
            (await page.Locator("#notes").InnerTextAsync()).Should().Contain("dropout_risk").And.Contain("follow_up");
            (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).Should().BeTrue("only the notes were updated");
            (await page.GetByLabel("New note").InputValueAsync()).Should().BeEmpty("the form is ready for the next note");
            await staff.AssertAccessibleAsync();
            await staff.AssertCleanAsync();
        }

        await using var candidate = await browser.NewSessionAsync(App.BaseAddress);
        await candidate.SignInAsync(App, s.Candidate);
        foreach (var url in new[]
        {
            "/pss", "/pss/me", "/pss/me/profile", "/pss/me/intake", $"/pss/me/intake/{s.SubmissionId}", "/pss/me/journal", $"/pss/me/journal/{s.EntryId}",
            "/pss/me/data", $"/api/pss/users/{s.Candidate.Id}/export?format=html", $"/api/pss/users/{s.Candidate.Id}/export?format=json",
        })
        {
            // The browser's own request context: the candidate's cookies, and a download is just a response.
            var response = await candidate.Page.APIRequest.GetAsync(url);
            response.Status.Should().Be(200, url);
            var body = await response.TextAsync();
            body.Should().NotContain(secret, url).And.NotContain(s.NoteText, url).And.NotContain("dropout_risk", url);
        }
    }

    [Fact]
    public async Task Staff_publish_a_new_intake_question_and_candidates_answer_it()
    {
        var s = await App.ScenarioAsync();
        await using (var staff = await browser.NewSessionAsync(App.BaseAddress))
        {
            await staff.SignInAsync(App, s.Admin);
            var page = staff.Page;
            await page.GotoAsync("/pss/admin/intake");
            var before = await page.Locator("details.question").CountAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Add a question" }).ClickAsync();
            await Expect(page.Locator("details.question")).ToHaveCountAsync(before + 1);
            var last = page.Locator("details.question").Last;
            await last.GetByLabel("Question").FillAsync("Which laptop do you use?");
            await last.GetByLabel("Answer type").SelectOptionAsync("choice");
            await last.GetByLabel("Options").FillAsync("Windows\nmac: A Mac\nChromebook");
            await last.GetByLabel("An answer is required").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish new version" }).ClickAsync();

            await page.WaitForURLAsync("**/pss/admin/intake?status=published*");
            (await page.Locator(".alert[role=status]").InnerTextAsync()).Should().Contain("Version 1 is published");
            await staff.AssertAccessibleAsync();
            await staff.AssertCleanAsync();
        }

        await using var candidate = await browser.NewSessionAsync(App.BaseAddress);
        await candidate.SignInAsync(App, s.Candidate);
        await candidate.Page.GotoAsync("/pss/me/intake");
        var question = candidate.Page.GetByRole(AriaRole.Group, new() { Name = "Which laptop do you use?" });
        (await question.InnerTextAsync()).Should().Contain("A Mac").And.Contain("Chromebook");
        await candidate.Page.GotoAsync($"/pss/me/intake/{s.SubmissionId}");
        (await candidate.Page.Locator("main").InnerTextAsync()).Should().Contain("The form has changed since").And.NotContain("Which laptop");
    }

    [Fact]
    public async Task An_invalid_intake_question_is_explained_beside_it_and_nothing_is_published()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, s.Admin);
        var page = session.Page;
        await page.GotoAsync("/pss/admin/intake");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a question" }).ClickAsync();
        var last = page.Locator("details.question").Last;
        await last.GetByLabel("Question").FillAsync("Pick one");
        await last.GetByLabel("Answer type").SelectOptionAsync("choice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish new version" }).ClickAsync();

        (await page.Locator(".error-summary").InnerTextAsync()).Should().Contain("A choice question has 1 to 50 options");
        var options = page.Locator("details.question").Last.GetByLabel("Options");
        (await options.GetAttributeAsync("aria-invalid")).Should().Be("true");
        (await page.Locator("table tbody tr").CountAsync()).Should().Be(1, "only the default version exists");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task The_statistics_page_lists_who_needs_a_check_in_with_tables_for_the_charts_and_a_csv()
    {
        var s = await App.ScenarioAsync();
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, s.Admin);
        var page = session.Page;
        await page.GotoAsync("/pss/admin/stats");

        (await page.Locator("#flagged-heading + p + ul").InnerTextAsync()).Should().Contain("Test pss.candidate").And.Contain("low-mood entries in a row");
        (await page.GetByRole(AriaRole.Table, new() { Name = "How often each mood was recorded" }).InnerTextAsync()).Should().Contain("Very low");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download per candidate (CSV)" }).ClickAsync());
        download.SuggestedFilename.Should().StartWith("pss-candidates-").And.EndWith(".csv");
        await session.AssertCleanAsync();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
