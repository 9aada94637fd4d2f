using Haven.Platform.Identity;
using Haven.Pss.Intake;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me;

/// <summary>One of the candidate's intake submissions, with the questions of the version it answered.</summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class SubmissionModel(IntakeService intake) : PageModel
{
    public IntakeSubmissionView Submission { get; private set; } = null!;

    public string? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? status, CancellationToken cancellationToken)
    {
        var submission = await intake.SubmissionAsync(id, cancellationToken);
        if (submission.Failed)
        {
            return NotFound();
        }

        Submission = submission.Value!;
        Status = status == "sent" ? "Thank you. Your answers have been sent to your programme's support staff, and your profile has been filled in from them." : null;
        return Page();
    }
}
