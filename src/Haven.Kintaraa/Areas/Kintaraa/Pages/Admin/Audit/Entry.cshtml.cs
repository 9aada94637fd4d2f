using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Audit;

/// <summary>One audit entry with its changes and hashes; one outside the admin's scope answers 404 like a missing one.</summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class EntryModel(AuditReader reader) : PageModel
{
    public AuditEntryResponse Entry { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long seq, CancellationToken cancellationToken)
    {
        if (await reader.GetAsync(seq, cancellationToken) is not { } entry)
        {
            return NotFound();
        }

        Entry = entry;
        return Page();
    }
}
