using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Routing;

/// <summary>The routing queue: referrals no provider could take, oldest first, with the reasons routing recorded.</summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class IndexModel(ReferralQueue queue, TimeProvider clock) : PageModel
{
    public IReadOnlyList<QueuedReferral> Queue { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public string? Done { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(string? done, [FromQuery(Name = "case")] string? caseNumber, CancellationToken cancellationToken)
    {
        Done = done switch
        {
            "assigned" => $"{caseNumber} was offered to the provider you chose.",
            "routed" => $"{caseNumber} was routed to a provider.",
            "still_queued" => $"Still no provider can take {caseNumber}; it stays in the queue.",
            _ => null,
        };
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRerouteAsync(Guid referralId, CancellationToken cancellationToken)
    {
        var waiting = await queue.FindAsync(referralId, cancellationToken);
        var outcome = await queue.RerouteAsync(referralId, cancellationToken);
        if (outcome.Error is { } error)
        {
            Problem = error.Title;
            Response.StatusCode = error.Status;
            await LoadAsync(cancellationToken);
            return Page();
        }

        return Redirect($"/kintaraa/admin/routing?done={(outcome.Value ? "routed" : "still_queued")}&case={Uri.EscapeDataString(waiting?.CaseNumber ?? "")}");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Queue = await queue.ListAsync(cancellationToken);
    }
}
