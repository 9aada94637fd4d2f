using Haven.Platform.Identity;
using Haven.Pss.Access;
using Haven.Pss.Export;
using Haven.Pss.Intake;
using Haven.Pss.Profiles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Pss.Users;

internal static class UserEndpoints
{
    public static void Map(RouteGroupBuilder pss)
    {
        var users = pss.MapGroup("/users").WithTags("PSS: candidates");
        users.MapGet("", ListAsync).RequireAuthorization(HavenPolicies.Pss.Staff).WithName("pss_users")
            .WithSummary("Candidates of my programmes (superuser: all), searchable by name, email or exact ID number");
        users.MapGet("/me", MeAsync).RequireAuthorization(HavenPolicies.Pss.Candidate).WithName("pss_users_me")
            .WithSummary("My own candidate overview");
        users.MapGet("/{id:guid}", DetailAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_user")
            .WithSummary("One candidate's overview (self, or staff of the candidate's programme)");
        users.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_user_update")
            .WithSummary("Change a candidate's display name (self, or staff of the candidate's programme)");
        users.MapGet("/{id:guid}/profile", GetProfileAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_profile")
            .WithSummary("A candidate's support profile, medical details included (every read is audited)");
        users.MapPut("/{id:guid}/profile", UpdateProfileAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_profile_update")
            .WithSummary("Replace a candidate's support profile (optimistic concurrency on version)");
        users.MapGet("/{id:guid}/intake", SubmissionsAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_user_intake")
            .WithSummary("A candidate's intake submissions, newest first");
        users.MapGet("/{id:guid}/export", ExportAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_user_export")
            .WithSummary("Everything PSS holds that the candidate may see, as JSON (format=json) or printable HTML (format=html); never staff notes");
    }

    private static async Task<Ok<CandidatePage>> ListAsync(
        CandidateService candidates, CancellationToken cancellationToken, string? q = null, [FromQuery(Name = "tenant_id")] Guid? tenantId = null,
        int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20) =>
        TypedResults.Ok(await candidates.ListAsync(q, tenantId, page, pageSize, cancellationToken));

    private static async Task<Results<Ok<CandidateDetail>, ProblemHttpResult>> MeAsync(CandidateService candidates, PssCaller caller, CancellationToken cancellationToken) =>
        (await candidates.DetailAsync(caller.UserId, cancellationToken)).ToOk();

    private static async Task<Results<Ok<CandidateDetail>, ProblemHttpResult>> DetailAsync(Guid id, CandidateService candidates, CancellationToken cancellationToken) =>
        (await candidates.DetailAsync(id, cancellationToken)).ToOk();

    private static async Task<Results<Ok<CandidateDetail>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateCandidateRequest request, CandidateService candidates, CancellationToken cancellationToken) =>
        (await candidates.RenameAsync(id, request.DisplayName, cancellationToken)).ToOk();

    private static async Task<Results<Ok<ProfileView>, ProblemHttpResult>> GetProfileAsync(Guid id, ProfileService profiles, CancellationToken cancellationToken) =>
        (await profiles.GetAsync(id, cancellationToken)).ToOk();

    private static async Task<Results<Ok<ProfileView>, ProblemHttpResult>> UpdateProfileAsync(
        Guid id, UpdateProfileRequest request, ProfileService profiles, CancellationToken cancellationToken) =>
        (await profiles.UpdateAsync(id, request.Values(), request.Version, cancellationToken)).ToOk();

    private static async Task<Results<Ok<IReadOnlyList<IntakeSubmissionSummary>>, ProblemHttpResult>> SubmissionsAsync(
        Guid id, IntakeService intake, CancellationToken cancellationToken) =>
        (await intake.SubmissionsAsync(id, cancellationToken)).ToOk();

    private static async Task<Results<Ok<CandidateExport>, ContentHttpResult, ProblemHttpResult>> ExportAsync(
        Guid id, ExportService exports, HttpContext http, CancellationToken cancellationToken, string format = "json")
    {
        if (format is not ("json" or "html"))
        {
            return Platform.Web.Errors.Validation("format", "Use json or html.").ToProblem();
        }

        var export = await exports.ExportAsync(id, cancellationToken);
        if (export.Failed)
        {
            return export.Error!.ToProblem();
        }

        var stamp = export.Value!.ExportedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        if (format == "html")
        {
            return TypedResults.Content(ExportHtml.Render(export.Value), "text/html; charset=utf-8");
        }

        http.Response.Headers.ContentDisposition = $"attachment; filename=\"pss-data-{stamp}.json\"";
        return TypedResults.Ok(export.Value);
    }
}
