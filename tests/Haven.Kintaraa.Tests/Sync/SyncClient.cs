using Haven.Kintaraa.Sync;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Sync;

/// <summary>What an offline app does: pull pages of changes from its cursor, push batches of operations.</summary>
public static class SyncClient
{
    public static async Task<SyncUpdates> PageAsync(this HttpClient client, string? cursor, int? limit = null)
    {
        var query = new List<string>();
        if (cursor is not null)
        {
            query.Add($"since={Uri.EscapeDataString(cursor)}");
        }

        if (limit is not null)
        {
            query.Add($"limit={limit}");
        }

        return await (await client.Get("/api/kintaraa/incidents/updates" + (query.Count > 0 ? "?" + string.Join('&', query) : ""))).ShouldBeOkAsync<SyncUpdates>();
    }

    /// <summary>Every page from <paramref name="cursor"/> until has_more is false.</summary>
    public static async Task<(IReadOnlyList<SyncUpdates> Pages, string Cursor)> DrainAsync(this HttpClient client, string? cursor, int? limit = null)
    {
        var pages = new List<SyncUpdates>();
        while (true)
        {
            var page = await client.PageAsync(cursor, limit);
            pages.Add(page);
            cursor = page.Cursor;
            if (!page.HasMore)
            {
                return (pages, cursor);
            }
        }
    }

    /// <summary>
    /// Pulls until <paramref name="seen"/> holds: events are numbered just after their transaction commits, so a change
    /// made a moment ago may reach the feed a few milliseconds later. Returns every page read and the final cursor.
    /// </summary>
    public static async Task<(IReadOnlyList<SyncUpdates> Pages, string Cursor)> PullUntilAsync(
        this HttpClient client, string? cursor, Func<IReadOnlyList<SyncUpdates>, bool> seen, int? limit = null)
    {
        var pages = new List<SyncUpdates>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (more, next) = await client.DrainAsync(cursor, limit);
            pages.AddRange(more);
            cursor = next;
            if (seen(pages))
            {
                return (pages, cursor);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The updates feed did not show the expected change within 10 s.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static async Task<SyncBatchResult> BatchAsync(this HttpClient client, params object[] operations) =>
        await (await client.Post("/api/kintaraa/sync/batch", new { operations })).ShouldBeOkAsync<SyncBatchResult>();
}
