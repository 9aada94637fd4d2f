using Haven.Platform.Identity;
using Haven.Pss.Intake;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin.Candidates;

/// <summary>A candidate's intake answers for staff, against the form version they answered (the read is audited).</summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class SubmissionModel(IntakeService intake) : PageModel
{
    public IntakeSubmissionView Submission { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await intake.SubmissionAsync(submissionId, cancellationToken);
        if (submission.Failed || submission.Value!.UserId != id)
        {
            return NotFound();
        }

        Submission = submission.Value;
        return Page();
    }
}
