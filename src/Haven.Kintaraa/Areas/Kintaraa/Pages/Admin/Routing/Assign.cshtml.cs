using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Routing;

/// <summary>
/// Manual assignment of a queued referral: the routing trace (reasons, providers considered, runners-up) and a choice
/// among the verified providers of the type, those with a free place first. Goes through <see cref="ReferralQueue"/>.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class AssignModel(ReferralQueue queue, TimeProvider clock) : PageModel
{
    public QueuedReferral Referral { get; private set; } = null!;

    public IReadOnlyList<AssignableProvider> Candidates { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public string? Problem { get; private set; }

    [BindProperty]
    public Guid? ProviderId { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (ProviderId is not { } providerId)
        {
            return Refused("Choose a provider.", 400);
        }

        var note = string.IsNullOrWhiteSpace(Note) ? null : Note.Trim();
        if (note is { Length: > 1000 })
        {
            return Refused("The note is at most 1000 characters.", 400);
        }

        var outcome = await queue.AssignAsync(Referral.IncidentId, Referral.Service, providerId, note, cancellationToken);
        if (outcome.Error is { } error)
        {
            var detail = error.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? error.Detail;
            return Refused(detail is null ? error.Title : $"{error.Title} {detail}", error.Status);
        }

        return Redirect($"/kintaraa/admin/routing?done=assigned&case={Uri.EscapeDataString(Referral.CaseNumber)}");
    }

    private PageResult Refused(string problem, int status)
    {
        Problem = problem;
        Response.StatusCode = status;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        if (await queue.FindAsync(id, cancellationToken) is not { } referral)
        {
            return false;
        }

        Referral = referral;
        Candidates = await queue.CandidatesAsync(referral.ProviderType, cancellationToken);
        return true;
    }
}
