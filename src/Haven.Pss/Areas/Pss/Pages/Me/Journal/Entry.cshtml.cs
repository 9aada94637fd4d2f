using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Journal;
using Haven.Pss.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me.Journal;

/// <summary>Changes or deletes one of the candidate's entries (another person's entry is not found).</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class EntryModel(JournalService journal, Access.PssCaller caller) : PageModel
{
    public JournalEntryView Entry { get; private set; } = null!;

    public JournalFormValues Values { get; private set; } = null!;

    public PortalForm State { get; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Values = JournalFormValues.Of(Entry);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Values = JournalFormValues.Read(Request.Form, id) with { Id = id };
        var (request, invalid) = Values.ToRequest();
        Access.Outcome<JournalEntryView> saved = invalid is null ? await journal.UpdateAsync(id, request!, cancellationToken) : invalid;
        if (!saved.Failed)
        {
            return Redirect("/pss/me/journal?status=saved");
        }

        State.Fail(saved.Error!);
        if (saved.Error!.Code == "version_conflict")
        {
            Values = JournalFormValues.Of(Entry);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var error = await journal.DeleteAsync(id, cancellationToken);
        return error is null ? Redirect("/pss/me/journal?status=deleted") : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var entry = await journal.GetAsync(id, cancellationToken);
        Entry = entry.Value!;
        return !entry.Failed && entry.Value!.UserId == caller.UserId;
    }
}
