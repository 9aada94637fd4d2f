using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.Kintaraa;

/// <summary>
/// The README's screenshots of the provider dashboard and case page, on a laptop (1280×800) and a tablet (820×1180).
/// Set HAVEN_SCREENSHOTS=1 to write them into docs/screenshots; otherwise they go to a temporary folder, so an ordinary
/// test run never changes the repository.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(Browser browser, KintaraaPortalFixture fixture) : IClassFixture<KintaraaPortalFixture>
{
    [Fact]
    public async Task Screenshots_of_the_dashboard_and_the_case_page()
    {
        var app = fixture.App;
        var world = new KintaraaWorld(app);
        var counselor = await world.ProviderAsync("counseling", "Hope Counseling Centre");
        var survivor = await world.SurvivorAsync();
        var working = await world.ReportAsync(survivor, "counseling");
        await KintaraaWorld.AcceptAsync(counselor, working);
        await (await survivor.Client.PostJsonAsync($"/api/kintaraa/incidents/{working}/messages", new { id = Guid.NewGuid(), body = "Thank you. Can we meet somewhere quiet?" })).ShouldBeJsonAsync(201);
        await (await counselor.Client.PostJsonAsync($"/api/kintaraa/incidents/{working}/messages", new { id = Guid.NewGuid(), body = "Yes. The centre has a private room; would Thursday at 10:00 suit you?" })).ShouldBeJsonAsync(201);
        await (await counselor.Client.PostJsonAsync($"/api/kintaraa/incidents/{working}/notes", new { kind = "session", body = "First contact made; safety plan to be agreed at the first session." })).ShouldBeJsonAsync(201);
        await world.ReportAsync(await world.SurvivorAsync(), "counseling");
        await world.ReportAsync(await world.SurvivorAsync(), "counseling");

        var folder = Environment.GetEnvironmentVariable("HAVEN_SCREENSHOTS") == "1"
            ? Path.Combine(BrowserSession.RepositoryRoot(), "docs", "screenshots")
            : Directory.CreateTempSubdirectory("haven-screens").FullName;
        Directory.CreateDirectory(folder);
        var tokens = await app.LoginAsync(counselor.User);
        foreach (var (name, viewport) in new[] { ("laptop", new ViewportSize { Width = 1280, Height = 800 }), ("tablet", new ViewportSize { Width = 820, Height = 1180 }) })
        {
            await using var session = await browser.NewSessionAsync(app.BaseAddress, viewport);
            await session.UseTokensAsync(app, tokens);
            await session.Page.GotoAsync("/kintaraa");
            await Microsoft.Playwright.Assertions.Expect(session.Page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live", "on");
            var dashboard = Path.Combine(folder, $"kintaraa-dashboard-{name}.png");
            await session.Page.ScreenshotAsync(new() { Path = dashboard });
            await session.Page.GotoAsync($"/kintaraa/cases/{working}");
            await Microsoft.Playwright.Assertions.Expect(session.Page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live", "on");
            var casePage = Path.Combine(folder, $"kintaraa-case-{name}.png");
            await session.Page.ScreenshotAsync(new() { Path = casePage });
            new FileInfo(dashboard).Length.Should().BeGreaterThan(10_000);
            new FileInfo(casePage).Length.Should().BeGreaterThan(10_000);
        }
    }
}
