using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Portal;
using Haven.Pss.Profiles;
using Haven.Pss.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin.Candidates;

/// <summary>Staff edit a candidate's support profile (same rules and concurrency check as the API).</summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class ProfileModel(CandidateService candidates, ProfileService profiles) : PageModel
{
    public CandidateDetail Candidate { get; private set; } = null!;

    public ProfileView Profile { get; private set; } = null!;

    public IReadOnlyDictionary<string, string?>? Posted { get; private set; }

    public PortalForm Form { get; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) => await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, int? version, CancellationToken cancellationToken)
    {
        Posted = ProfileFields.All.ToDictionary(f => f, f => (string?)Request.Form[f].ToString());
        var saved = await profiles.UpdateAsync(id, Posted, version, cancellationToken);
        if (saved.Error is { Status: 404 })
        {
            return NotFound();
        }

        if (!saved.Failed)
        {
            return Redirect($"/pss/admin/candidates/{id}");
        }

        Form.Fail(saved.Error!);
        if (saved.Error!.Code == "version_conflict")
        {
            Posted = null;
        }

        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var candidate = await candidates.DetailAsync(id, cancellationToken);
        var profile = candidate.Failed ? default : await profiles.GetAsync(id, cancellationToken);
        if (candidate.Failed || profile.Failed)
        {
            return false;
        }

        Candidate = candidate.Value!;
        Profile = profile.Value!;
        return true;
    }
}
