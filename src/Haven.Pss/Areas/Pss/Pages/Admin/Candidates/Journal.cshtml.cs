using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Journal;
using Haven.Pss.Portal;
using Haven.Pss.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin.Candidates;

/// <summary>A candidate's whole journal for staff, by date range, twenty to a page (each read audited).</summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class JournalModel(CandidateService candidates, JournalService journal) : PageModel
{
    public const int PageSize = 20;

    public CandidateDetail Candidate { get; private set; } = null!;

    public JournalPage Entries { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public PortalForm State { get; } = new();

    public string? FromText { get; private set; }

    public string? ToText { get; private set; }

    public string Summary { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(Guid id, string? from, string? to, int page = 1, CancellationToken cancellationToken = default)
    {
        var candidate = await candidates.DetailAsync(id, cancellationToken);
        if (candidate.Failed)
        {
            return NotFound();
        }

        Candidate = candidate.Value!;
        (FromText, ToText) = (from, to);
        var list = await journal.ListAsync(id, DateFilter.Parse(from, "from", State), DateFilter.Parse(to, "to", State), page, PageSize, cancellationToken);
        if (list.Failed)
        {
            State.Fail(list.Error!);
            list = await journal.ListAsync(id, null, null, 1, PageSize, cancellationToken);
        }

        Entries = list.Value!;
        Pager = new Pager($"/pss/admin/candidates/{id}/journal", Entries.Page, Entries.PageSize, Entries.Total, new() { ["from"] = from, ["to"] = to });
        Summary = Entries.Total switch
        {
            0 => "No entries.",
            1 => "1 entry.",
            var n => $"{n} entries, newest first.",
        };
        return Page();
    }
}
