using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Access;
using Haven.Pss.Portal;
using Haven.Pss.Profiles;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me;

/// <summary>The candidate's own profile: read (audited) and saved with the same rules as the API.</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class ProfileModel(ProfileService profiles, PssCaller caller) : PageModel
{
    public ProfileView Profile { get; private set; } = null!;

    public IReadOnlyDictionary<string, string?>? Posted { get; private set; }

    public PortalForm Form { get; } = new();

    public string? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? status, CancellationToken cancellationToken)
    {
        Status = status == "saved" ? "Your profile has been saved." : null;
        return await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(int? version, CancellationToken cancellationToken)
    {
        Posted = ProfileFields.All.ToDictionary(f => f, f => (string?)Request.Form[f].ToString());
        var saved = await profiles.UpdateAsync(caller.UserId, Posted, version, cancellationToken);
        if (!saved.Failed)
        {
            return Redirect("/pss/me/profile?status=saved");
        }

        Form.Fail(saved.Error!);
        if (saved.Error!.Code == "version_conflict")
        {
            // Show what is saved now rather than overwrite it with the older page's values.
            Posted = null;
        }

        return await LoadAsync(cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        var profile = await profiles.GetAsync(caller.UserId, cancellationToken);
        if (profile.Failed)
        {
            return NotFound();
        }

        Profile = profile.Value!;
        return Page();
    }
}
