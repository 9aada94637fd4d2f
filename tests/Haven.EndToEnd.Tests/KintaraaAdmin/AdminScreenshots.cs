using Haven.EndToEnd.Tests.Pss;
using Haven.Platform.Identity;
using Haven.Server.Hosting;
using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.KintaraaAdmin;

/// <summary>
/// Regenerates docs/screenshots/admin-*.png from the demo world (run on purpose, never in CI):
/// <c>dotnet test tests/Haven.EndToEnd.Tests -c Release --filter "FullyQualifiedName~AdminScreenshots" -- xUnit.Explicit=only</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminScreenshots(Browser browser, KintaraaAdminFixture fixture) : IClassFixture<KintaraaAdminFixture>
{
    [Fact(Explicit = true)]
    public async Task Admin_pages_at_1280_by_800()
    {
        var app = fixture.App;
        await DemoData.SeedAsync(app.Services, TestContext.Current.CancellationToken);
        // Two referrals in the queue: with every legal and rescue provider away, routing finds nobody; then they are back.
        await app.ExecuteSqlAsync("UPDATE kintaraa.providers SET is_available = false WHERE provider_type IN ('legal', 'gbv_rescue')");
        await app.ReportAsync("legal");
        await app.ReportAsync("shelter");
        await app.ExecuteSqlAsync("UPDATE kintaraa.providers SET is_available = true WHERE provider_type IN ('legal', 'gbv_rescue')");
        var admin = await app.CreateUserAsync(HavenRoles.Platform.Admin);
        await using var session = await browser.NewSessionAsync(app.BaseAddress, new ViewportSize { Width = 1280, Height = 800 });
        await session.SignInAsync(app, admin);
        var page = session.Page;
        var folder = Path.Combine(BrowserSession.RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        foreach (var (url, name) in new[]
        {
            ("/kintaraa/admin", "admin-overview"), ("/kintaraa/admin/providers", "admin-providers"), ("/kintaraa/admin/routing", "admin-routing-queue"),
            ("/kintaraa/admin/stats?days=365", "admin-statistics"), ("/kintaraa/admin/audit", "admin-audit"),
        })
        {
            await page.GotoAsync(url);
            if (name == "admin-audit")
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Verify the whole chain" }).ClickAsync();
            }

            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") });
        }
    }
}
