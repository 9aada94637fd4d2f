using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests;

/// <summary>
/// One headless Chromium (Debian's /usr/bin/chromium: Playwright's own browser download is not possible here) shared
/// by every test in the assembly; each test gets its own context, so cookies and storage never leak between tests.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("HAVEN_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    /// <summary>
    /// A fresh browser context on a laptop-sized viewport (tablet tests pass their own); <paramref name="configure"/>
    /// changes anything else (JavaScript off, a device scale factor for zoom tests).
    /// </summary>
    public async Task<BrowserSession> NewSessionAsync(Uri baseAddress, ViewportSize? viewport = null, Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = viewport ?? new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "Africa/Nairobi",
        };
        configure?.Invoke(options);
        var context = await _browser!.NewContextAsync(options);
        return await BrowserSession.StartAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
