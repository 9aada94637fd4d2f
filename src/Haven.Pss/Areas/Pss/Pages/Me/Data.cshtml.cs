using Haven.Platform.Identity;
using Haven.Pss.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me;

/// <summary>Where the candidate takes a copy of their data (the export itself is the API's, audited there).</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class DataModel(PssCaller caller) : PageModel
{
    public Guid UserId => caller.UserId;

    public void OnGet()
    {
    }
}
