using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Journal;
using Haven.Pss.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me.Journal;

/// <summary>Writes a journal entry. The form carries the new entry's id, so sending it twice saves it once.</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class NewModel(JournalService journal, TimeProvider clock) : PageModel
{
    public JournalFormValues Values { get; private set; } = null!;

    public PortalForm State { get; } = new();

    public void OnGet() => Values = JournalFormValues.New(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Values = JournalFormValues.Read(Request.Form, Guid.CreateVersion7());
        var (request, invalid) = Values.ToRequest();
        if (invalid is not null)
        {
            State.Fail(invalid);
            return Page();
        }

        var created = await journal.CreateAsync(request!, cancellationToken);
        if (created.Failed)
        {
            State.Fail(created.Error!);
            return Page();
        }

        return Redirect("/pss/me/journal?status=created");
    }
}
