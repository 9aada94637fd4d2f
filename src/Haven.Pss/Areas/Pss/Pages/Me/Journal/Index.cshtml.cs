using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Access;
using Haven.Pss.Journal;
using Haven.Pss.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me.Journal;

/// <summary>The candidate's journal: mood and energy chart with its table, entries by date range, ten to a page.</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class IndexModel(JournalService journal, PssCaller caller) : PageModel
{
    public const int PageSize = 10;

    public JournalPage Entries { get; private set; } = null!;

    public TrendView Trend { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public PortalForm State { get; } = new();

    public string? FromText { get; private set; }

    public string? ToText { get; private set; }

    public string Summary { get; private set; } = "";

    public string? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? from, string? to, string? period, string? status, int page = 1, CancellationToken cancellationToken = default)
    {
        Status = status switch
        {
            "created" => "Your entry has been saved.",
            "saved" => "Your changes have been saved.",
            "deleted" => "The entry has been deleted.",
            _ => null,
        };
        (FromText, ToText) = (from, to);
        var (fromDate, toDate) = (DateFilter.Parse(from, "from", State), DateFilter.Parse(to, "to", State));
        var list = await journal.ListAsync(caller.UserId, fromDate, toDate, page, PageSize, cancellationToken);
        if (list.Failed)
        {
            State.Fail(list.Error!);
            list = await journal.ListAsync(caller.UserId, null, null, 1, PageSize, cancellationToken);
        }

        var trend = await journal.TrendsAsync(caller.UserId, period is "month" ? "month" : "week", null, null, cancellationToken);
        if (list.Failed || trend.Failed)
        {
            return NotFound();
        }

        Entries = list.Value!;
        Trend = trend.Value!;
        Pager = new Pager("/pss/me/journal", Entries.Page, Entries.PageSize, Entries.Total, new() { ["from"] = from, ["to"] = to, ["period"] = period });
        Summary = Entries.Total switch
        {
            0 when fromDate is not null || toDate is not null => "No entries in these dates.",
            0 => "You have not written any entries yet.",
            1 => "1 entry.",
            var n => $"{n} entries, newest first.",
        };
        return Page();
    }
}
