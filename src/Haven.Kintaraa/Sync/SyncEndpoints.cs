using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Kintaraa.Sync;

/// <summary>The offline app's two calls: pull what changed since its cursor, push what it recorded offline (docs/kintaraa-sync.md).</summary>
internal static class SyncEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/incidents/updates", UpdatesAsync).WithName("kintaraa_sync_updates").WithTags("Kintaraa sync")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Everything the caller may see that changed since the cursor (cases with referrals, messages, safety plan, notifications), paged")
            .WithDescription("Leave `since` out for the first call; then send the `cursor` of the previous answer. `has_more`: call again at once. " +
                             "An unknown cursor answers 400 `invalid_cursor`; `reset_required` asks the app to reload over the REST API.");
        api.MapPost("/sync/batch", BatchAsync).WithName("kintaraa_sync_batch").WithTags("Kintaraa sync")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary($"Apply up to {SyncBatch.MaxOperations} operations recorded offline, in order, each idempotent on its client id")
            .WithDescription("Answers 200 with a result per operation (`applied`, `conflict` with the server's copy, or `rejected`); " +
                             "resending a batch, whole or after a cut, applies nothing twice and returns the original results.");
    }

    private static async Task<Results<Ok<SyncUpdates>, ProblemHttpResult>> UpdatesAsync(
        [FromQuery] string? since, [FromQuery] int? limit, UpdatesFeed feed, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await feed.ReadAsync(since, limit, cancellationToken));

    private static async Task<Results<Ok<SyncBatchResult>, ProblemHttpResult>> BatchAsync(
        SyncBatchRequest request, SyncBatch batch, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await batch.ApplyAsync(request, cancellationToken));
}
