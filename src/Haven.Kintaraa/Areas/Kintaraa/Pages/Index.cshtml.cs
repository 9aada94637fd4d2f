using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Portal;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Routing;
using Haven.Platform.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages;

/// <summary>
/// The provider dashboard: referrals waiting for an answer (accept, or decline with a reason), the provider's cases with
/// filters, search and paging, and their capacity. New referrals arrive live (kintaraa/js/dashboard.js asks for one
/// row at a time from <see cref="OnGetOfferAsync"/>); every form also works as a plain POST followed by a redirect.
/// Admins have their own portal.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Staff)]
public sealed class IndexModel(IncidentQueries queries, ProviderDesk desk, ReferralActions actions, KintaraaCaller caller, ProviderService providers) : PageModel
{
    public const int PageSize = 20;

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Priority { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int? PageNumber { get; set; }

    public ProviderProfile? Me { get; private set; }

    public IReadOnlyList<OfferRow> Offers { get; private set; } = [];

    public PageOf<IncidentSummary> Cases { get; private set; } = new([], 0, 1, PageSize);

    public PortalForm? FilterErrors { get; private set; }

    /// <summary>The offer whose decline form failed, with what was wrong.</summary>
    public (Guid ReferralId, PortalForm Form, string? Code, string? Reason)? Decline { get; private set; }

    public string? Notice { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? done, CancellationToken cancellationToken)
    {
        if (!caller.IsProvider)
        {
            return Redirect("/kintaraa/admin");
        }

        Notice = done switch
        {
            "declined" => "You declined the referral; it has gone to another provider.",
            "completed" => "The case is now completed and has left your list.",
            "closed" => "The case is now closed and has left your list.",
            "part_done" => "Your part of the case is marked done and it has left your list; the rest of the care team carries on.",
            "transferred" => "Your part of the case is being handed over with the survivor's consent; it has left your list.",
            _ => null,
        };
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>One waiting offer as a list row, for the live insert; 204 once it is no longer waiting.</summary>
    public async Task<IActionResult> OnGetOfferAsync([FromQuery(Name = "referral_id")] Guid referralId, CancellationToken cancellationToken)
    {
        var offer = await desk.OfferAsync(referralId, cancellationToken);
        if (offer is null)
        {
            return new NoContentResult();
        }

        Me = await ProfileAsync(cancellationToken);
        return Partial("_OfferRow", new OfferRowModel(offer, Me?.TimeZone ?? "Africa/Nairobi", null));
    }

    /// <summary>Every waiting offer, for refreshing the list after a reconnect or an offer that ended.</summary>
    public async Task<IActionResult> OnGetOffersAsync(CancellationToken cancellationToken)
    {
        await LoadOffersAsync(cancellationToken);
        return Partial("_OfferList", this);
    }

    public async Task<IActionResult> OnPostAcceptAsync([FromForm(Name = "referral_id")] Guid referralId, CancellationToken cancellationToken)
    {
        var offer = await desk.OfferAsync(referralId, cancellationToken);
        if (offer is null)
        {
            return await FailAsync("This referral is no longer waiting for your answer.", cancellationToken);
        }

        var result = await actions.AsProviderAsync(referralId, (view, referral, service, ct) => service.AcceptAsync(view, referral, ct), cancellationToken);
        return result.Result is ProblemHttpResult problem
            ? await FailAsync(PortalForm.Describe(problem), cancellationToken)
            : Redirect($"/kintaraa/cases/{offer.IncidentId}?done=accepted");
    }

    public async Task<IActionResult> OnPostDeclineAsync(
        [FromForm(Name = "referral_id")] Guid referralId, [FromForm] string? code, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        var form = new PortalForm();
        if (code is null || !ReferralEndpoints.DeclineCodes.Contains(code))
        {
            form.Add("code", "Choose why you cannot take the case.");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 3 || reason.Trim().Length > 500)
        {
            form.Add("reason", "Give a reason of 3 to 500 characters; the coordinator sees it.");
        }

        if (!form.HasErrors)
        {
            var result = await actions.AsProviderAsync(referralId,
                (view, referral, service, ct) => service.DeclineAsync(view, referral, code!, reason!.Trim(), ct), cancellationToken);
            if (result.Result is not ProblemHttpResult problem)
            {
                return Redirect("/kintaraa?done=declined");
            }

            form = PortalForm.Failed(problem);
        }

        Decline = (referralId, form, code, reason);
        await LoadAsync(cancellationToken);
        return Page();
    }

    public static IReadOnlyList<(string Code, string Label)> DeclineReasons { get; } =
    [
        ("at_capacity", "I have no capacity"), ("out_of_area", "Outside my area"), ("not_my_specialty", "Not my specialty"),
        ("conflict_of_interest", "Conflict of interest"), ("unavailable", "I am unavailable"), ("other", "Another reason"),
    ];

    public Dictionary<string, string?> Query() => new()
    {
        ["status"] = Status, ["type"] = Type, ["priority"] = Priority, ["q"] = Q,
    };

    public bool IsOffer(Guid incidentId) => Offers.Any(o => o.IncidentId == incidentId);

    private async Task<IActionResult> FailAsync(string message, CancellationToken cancellationToken)
    {
        Problem = message;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Me = await ProfileAsync(cancellationToken);
        if (Me is null)
        {
            return;
        }

        await LoadOffersAsync(cancellationToken);
        var list = await queries.ListAsync(new IncidentFilter
        {
            Status = Blank(Status), Type = Blank(Type), Priority = Blank(Priority), Q = Blank(Q), Page = PageNumber, PageSize = PageSize,
        }, cancellationToken);
        if (list.Error is { } error)
        {
            FilterErrors = PortalForm.Failed(error);
            return;
        }

        Cases = list.Value!;
    }

    private async Task LoadOffersAsync(CancellationToken cancellationToken)
    {
        Me ??= await ProfileAsync(cancellationToken);
        Offers = await desk.OffersAsync(cancellationToken);
    }

    private async Task<ProviderProfile?> ProfileAsync(CancellationToken cancellationToken) =>
        await caller.ProviderAsync(cancellationToken) is { } provider ? await providers.ReloadAsync(provider.Id, cancellationToken) : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
