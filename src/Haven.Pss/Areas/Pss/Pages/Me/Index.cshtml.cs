using Haven.Platform.Identity;
using Haven.Pss.Access;
using Haven.Pss.Journal;
using Haven.Pss.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me;

/// <summary>The candidate's home: intake status, a few figures, the latest entries.</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class IndexModel(CandidateService candidates, JournalService journal, PssCaller caller) : PageModel
{
    public CandidateDetail Me { get; private set; } = null!;

    public IReadOnlyList<JournalEntryView> Recent { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var me = await candidates.DetailAsync(caller.UserId, cancellationToken);
        if (me.Failed)
        {
            return NotFound();
        }

        Me = me.Value!;
        Recent = (await journal.ListAsync(caller.UserId, null, null, 1, 5, cancellationToken)).Value?.Items ?? [];
        return Page();
    }
}
