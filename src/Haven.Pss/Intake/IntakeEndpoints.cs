using Haven.Platform.Identity;
using Haven.Platform.Web;
using Haven.Pss.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Pss.Intake;

internal static class IntakeEndpoints
{
    public static void Map(RouteGroupBuilder pss)
    {
        var intake = pss.MapGroup("/intake").WithTags("PSS: intake");
        intake.MapGet("/form", CurrentAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_intake_form")
            .WithSummary("The intake form to answer now (a candidate's programme's; staff may name a programme)");
        intake.MapGet("/forms", ListFormsAsync).RequireAuthorization(HavenPolicies.Pss.Staff).WithName("pss_intake_forms")
            .WithSummary("Every version of the intake forms my programmes use, newest first");
        intake.MapPost("/forms", PublishAsync).RequireAuthorization(HavenPolicies.Pss.Staff).WithName("pss_intake_form_publish")
            .WithSummary("Publish a new version of a programme's intake form; earlier submissions keep their version");
        intake.MapGet("/forms/{id:guid}", FormAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_intake_form_version")
            .WithSummary("One version of an intake form");
        intake.MapPost("/submit", SubmitAsync).RequireAuthorization(HavenPolicies.Pss.Candidate).WithName("pss_intake_submit")
            .WithSummary("Submit my answers to the current form; mapped answers fill in my profile (idempotent with a client id)");
        intake.MapGet("/submissions", SubmissionsAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_intake_submissions")
            .WithSummary("A candidate's submissions (mine when user_id is left out)");
        intake.MapGet("/submissions/{id:guid}", SubmissionAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_intake_submission")
            .WithSummary("One submission with the form version it answered (audited)");
    }

    private static async Task<Results<Ok<IntakeFormView>, ProblemHttpResult>> CurrentAsync(
        IntakeService intake, CancellationToken cancellationToken, [FromQuery(Name = "tenant_id")] Guid? tenantId = null) =>
        (await intake.CurrentForCallerAsync(tenantId, cancellationToken)).ToOk();

    private static async Task<Ok<IReadOnlyList<IntakeFormView>>> ListFormsAsync(
        IntakeService intake, CancellationToken cancellationToken, [FromQuery(Name = "tenant_id")] Guid? tenantId = null) =>
        TypedResults.Ok(await intake.ListFormsAsync(tenantId, cancellationToken));

    private static async Task<Results<Created<IntakeFormView>, ProblemHttpResult>> PublishAsync(
        PublishFormRequest request, IntakeService intake, CancellationToken cancellationToken)
    {
        var published = await intake.PublishAsync(request.TenantId, request.Definition, cancellationToken);
        return published.Failed ? published.Error!.ToProblem() : TypedResults.Created($"/api/pss/intake/forms/{published.Value!.Id}", published.Value);
    }

    private static async Task<Results<Ok<IntakeFormView>, ProblemHttpResult>> FormAsync(Guid id, IntakeService intake, CancellationToken cancellationToken) =>
        (await intake.FormAsync(id, cancellationToken)).ToOk();

    private static async Task<Results<Created<IntakeSubmissionView>, Ok<IntakeSubmissionView>, ProblemHttpResult>> SubmitAsync(
        SubmitIntakeRequest request, IntakeService intake, CancellationToken cancellationToken)
    {
        var submitted = await intake.SubmitAsync(request, cancellationToken);
        if (submitted.Failed)
        {
            return submitted.Error!.ToProblem();
        }

        var (submission, created) = submitted.Value;
        return created ? TypedResults.Created($"/api/pss/intake/submissions/{submission.Id}", submission) : TypedResults.Ok(submission);
    }

    private static async Task<Results<Ok<IReadOnlyList<IntakeSubmissionSummary>>, ProblemHttpResult>> SubmissionsAsync(
        IntakeService intake, PssCaller caller, CancellationToken cancellationToken, [FromQuery(Name = "user_id")] Guid? userId = null)
    {
        if (userId is null && !caller.IsCandidate)
        {
            return Errors.Validation("user_id", "Name the candidate.").ToProblem();
        }

        return (await intake.SubmissionsAsync(userId ?? caller.UserId, cancellationToken)).ToOk();
    }

    private static async Task<Results<Ok<IntakeSubmissionView>, ProblemHttpResult>> SubmissionAsync(Guid id, IntakeService intake, CancellationToken cancellationToken) =>
        (await intake.SubmissionAsync(id, cancellationToken)).ToOk();
}
