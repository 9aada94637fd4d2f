using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Access;
using Haven.Pss.Intake;
using Haven.Pss.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Me;

/// <summary>
/// The candidate answers the current intake form. The page carries a submission id made when it was rendered, so a
/// double click or a resent form records one submission. If the form changed meanwhile, the new version is shown with
/// the answers that still fit.
/// </summary>
[Authorize(Policy = HavenPolicies.Pss.Candidate)]
public sealed class IntakeModel(IntakeService intake, PssCaller caller) : PageModel
{
    public IntakeFormView Form { get; private set; } = null!;

    public JsonObject? Answers { get; private set; }

    public PortalForm State { get; } = new();

    public Guid SubmissionId { get; private set; } = Guid.CreateVersion7();

    public IReadOnlyList<IntakeSubmissionSummary> Submissions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var page = await LoadAsync(cancellationToken);
        if (Submissions.Count > 0 && (await intake.SubmissionAsync(Submissions[0].Id, cancellationToken)).Value is { } last)
        {
            // Start from the last answers, for the questions the current form still asks.
            Answers = [];
            foreach (var field in Form.Definition.Fields.Where(f => last.Responses.ContainsKey(f.Key)))
            {
                Answers[field.Key] = last.Responses[field.Key]!.DeepClone();
            }
        }

        return page;
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "form_id")] Guid? formId, [FromForm(Name = "submission_id")] Guid? submissionId, CancellationToken cancellationToken)
    {
        if (formId is null || await intake.FormAsync(formId.Value, cancellationToken) is not { Failed: false } posted)
        {
            return await LoadAsync(cancellationToken);
        }

        Answers = IntakeFormInput.Read(posted.Value!.Definition, Request.Form);
        var submitted = await intake.SubmitAsync(new SubmitIntakeRequest(submissionId, formId, Answers), cancellationToken);
        if (!submitted.Failed)
        {
            return Redirect("/pss/me/intake/" + submitted.Value.Submission.Id + "?status=sent");
        }

        if (submitted.Error!.Code == "form_version_outdated")
        {
            State.Fail(new Platform.Web.Error("form_changed", 409, "The form changed while you were filling it in.", "Check the questions below, then send your answers again."));
        }
        else
        {
            State.Fail(submitted.Error);
            SubmissionId = submissionId ?? SubmissionId;
        }

        return await LoadAsync(cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        var form = await intake.CurrentForCallerAsync(null, cancellationToken);
        var submissions = await intake.SubmissionsAsync(caller.UserId, cancellationToken);
        if (form.Failed || submissions.Failed)
        {
            return NotFound();
        }

        Form = form.Value!;
        Submissions = submissions.Value!;
        return Page();
    }
}
