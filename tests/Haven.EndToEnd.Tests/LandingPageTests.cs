using Haven.Testing;

namespace Haven.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed class LandingPageTests(Browser browser) : IAsyncLifetime
{
    private HavenTestApp? _app;

    public async ValueTask InitializeAsync() => _app = await HavenTestApp.StartAsync();

    [Fact]
    public async Task A_visitor_reaches_each_portal_from_the_landing_page()
    {
        await using var session = await browser.NewSessionAsync(_app!.BaseAddress);

        await session.Page.GotoAsync("/");
        await session.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "PSS" }).First.ClickAsync();

        await session.Page.WaitForURLAsync("**/pss");
        (await session.Page.Locator("h1").InnerTextAsync()).Should().Be("PSS");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Landing_page_is_accessible_and_keyboard_reachable()
    {
        await using var session = await browser.NewSessionAsync(_app!.BaseAddress);
        await session.Page.GotoAsync("/");

        await session.Page.Keyboard.PressAsync("Tab");
        (await session.Page.EvaluateAsync<string>("document.activeElement.textContent")).Should().Contain("Skip to main content");

        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Api_docs_work_under_the_content_security_policy()
    {
        await using var session = await browser.NewSessionAsync(_app!.BaseAddress);

        await session.Page.GotoAsync("/docs/index.html");

        await session.Page.Locator(".swagger-ui .info .title").WaitForAsync();
        (await session.Page.Locator(".swagger-ui .info .title").InnerTextAsync()).Should().Contain("Haven API");
        await session.AssertCleanAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
