using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests;

/// <summary>
/// A browser context and page that record what a careful reviewer would look for: console errors, content-security-
/// policy violations and failed requests. <see cref="AssertCleanAsync"/> fails the test on any of them.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private static readonly Lazy<string> AxeSource = new(() => File.ReadAllText(Path.Combine(RepositoryRoot(), "node_modules", "axe-core", "axe.min.js")));
    private readonly ConcurrentQueue<string> _problems = new();

    private BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _problems.Enqueue("console error: " + message.Text);
            }
        };
        page.PageError += (_, error) => _problems.Enqueue("page error: " + error);
        page.RequestFailed += (_, request) => _problems.Enqueue($"request failed: {request.Method} {request.Url} {request.Failure}");
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public static async Task<BrowserSession> StartAsync(IBrowserContext context) => new(context, await context.NewPageAsync());

    /// <summary>Another tab in the same context (same cookies), e.g. a second view of a dashboard.</summary>
    public async Task<IPage> NewTabAsync() => await Context.NewPageAsync();

    /// <summary>No console errors (which include CSP violations), no uncaught exceptions, no failed requests so far.</summary>
    public Task AssertCleanAsync()
    {
        _problems.Should().BeEmpty("the page must work under Haven's content security policy without errors");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the current page and fails on any serious or critical
    /// violation, listing each with its offending elements. axe is evaluated through the DevTools protocol, which the
    /// page's CSP does not govern, so the page is scanned exactly as users get it.
    /// </summary>
    public async Task AssertAccessibleAsync(IPage? page = null)
    {
        page ??= Page;
        await page.EvaluateAsync(AxeSource.Value);
        var result = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
              return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' -> ' + v.nodes.map(n => n.target.join(' ')).join(' | '));
            }
            """);
        var violations = result.EnumerateArray().Select(v => v.GetString()!).ToList();
        violations.Should().BeEmpty("axe-core found serious accessibility violations on {0}", page.Url);
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Haven.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Haven.slnx not found above " + AppContext.BaseDirectory);
    }
}
