using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Kintaraa.Cases;

public sealed record AssignRequest([property: System.ComponentModel.DataAnnotations.Required] SupportService? Service,
    [property: System.ComponentModel.DataAnnotations.Required] Guid? ProviderId,
    [property: System.ComponentModel.DataAnnotations.StringLength(1000)] string? Note);

public sealed record LegalHoldRequest([property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.StringLength(500, MinimumLength = 5)] string Reason);

public sealed record ReceiptResponse(string ReceiptCode);

internal static class IncidentEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Kintaraa cases");
        incidents.MapGet("", ListAsync).WithName("kintaraa_incidents_list")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("List the cases the caller may see (own, referred, or all for admins), paged, filtered and searchable");
        incidents.MapPost("", ReportAsync).WithName("kintaraa_incidents_report")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Report an incident (idempotent on the client's id); each consented service is routed to a provider at once")
            .WithDescription("Answers 201 with the case; repeating a report with the same `id` answers 200 with the same case. " +
                             "An anonymous report's answer carries `receipt_code` once: it reopens the case from any device.");
        incidents.MapGet("/{id:guid}", DetailAsync).WithName("kintaraa_incidents_detail")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("A case as the caller may see it; an admin's look is audited");
        incidents.MapMethods("/{id:guid}", ["PUT", "PATCH"], UpdateAsync).WithName("kintaraa_incidents_update")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Change a case (fields left out stay); the survivor edits their account, providers and admins the classification");
        incidents.MapPost("/{id:guid}/status", ChangeStatusAsync).WithName("kintaraa_incidents_status")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Complete or close a case; an illegal transition answers 409 illegal_transition and changes nothing");
        incidents.MapPost("/{id:guid}/assign", AssignAsync).WithName("kintaraa_incidents_assign")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("Assign a service of the case to a chosen provider (admins; needs the survivor's consent for the service)");
        incidents.MapPut("/{id:guid}/legal-hold", PlaceHoldAsync).WithName("kintaraa_incidents_hold")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("Place the case under a legal hold: it is kept even if the survivor deletes their account");
        incidents.MapDelete("/{id:guid}/legal-hold", LiftHoldAsync).WithName("kintaraa_incidents_hold_lift")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("Lift the legal hold");
        incidents.MapPost("/{id:guid}/receipt", ReissueReceiptAsync).WithName("kintaraa_incidents_receipt")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Issue a new receipt code for an anonymous case (the old one stops working)");
    }

    private static async Task<Results<Ok<PageOf<IncidentSummary>>, ProblemHttpResult>> ListAsync(
        [AsParameters] IncidentFilter filter, IncidentQueries queries, CancellationToken cancellationToken)
    {
        var result = await queries.ListAsync(filter, cancellationToken);
        return result.Error is { } error ? error.ToProblem() : TypedResults.Ok(result.Value);
    }

    private static async Task<Results<Created<IncidentDetail>, Ok<IncidentDetail>, ProblemHttpResult>> ReportAsync(
        ReportIncidentRequest request, IncidentService incidents, CancellationToken cancellationToken)
    {
        var result = await incidents.ReportAsync(request, CaseSource.App, cancellationToken);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var (incident, created) = result.Value!;
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{incident.Id}", incident) : TypedResults.Ok(incident);
    }

    private static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> DetailAsync(
        Guid id, CaseAccess access, CaseReader reader, CaseJournal journal, CancellationToken cancellationToken)
    {
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound.ToProblem();
        }

        var detail = await reader.DetailAsync(view, cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return TypedResults.Ok(detail);
    }

    private static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateIncidentRequest request, IncidentService incidents, CancellationToken cancellationToken) =>
        Answer(await incidents.UpdateAsync(id, request, cancellationToken));

    private static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> ChangeStatusAsync(
        Guid id, ChangeStatusRequest request, IncidentService incidents, CancellationToken cancellationToken) =>
        Answer(await incidents.ChangeStatusAsync(id, request.Status!.Value, request.Reason, cancellationToken));

    private static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> AssignAsync(
        Guid id, AssignRequest request, ReferralQueue queue, CaseReader reader, CancellationToken cancellationToken)
    {
        var outcome = await queue.AssignAsync(id, request.Service!.Value, request.ProviderId!.Value, request.Note, cancellationToken);
        return outcome.Error is { } failed ? failed.ToProblem() : TypedResults.Ok(await reader.DetailAsync(outcome.Value!, cancellationToken));
    }

    private static Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> PlaceHoldAsync(
        Guid id, LegalHoldRequest request, LegalHolds holds, CancellationToken cancellationToken) =>
        holds.SetAsync(id, request.Reason.Trim(), cancellationToken);

    private static Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> LiftHoldAsync(Guid id, LegalHolds holds, CancellationToken cancellationToken) =>
        holds.SetAsync(id, null, cancellationToken);

    private static async Task<Results<Ok<ReceiptResponse>, ProblemHttpResult>> ReissueReceiptAsync(
        Guid id, CaseAccess access, ReceiptCodes receipts, CaseTransactions transactions, CaseJournal journal, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<string>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is not { Relation: CaseRelation.Survivor })
            {
                return IncidentService.IncidentNotFound;
            }

            if (!view.Incident.IsAnonymous)
            {
                return Errors.Conflict("not_anonymous", "Only anonymous reports have receipt codes; sign in to return to this case.");
            }

            var code = ReceiptCodes.Generate();
            view.Incident.ReceiptCodeHash = receipts.Hash(code);
            journal.Audit("kintaraa.case.receipt_reissued", "incident", id, new { view.Incident.CaseNumber });
            return code;
        }, cancellationToken);
        return outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(new ReceiptResponse(outcome.Value!));
    }

    internal static Results<Ok<T>, ProblemHttpResult> Answer<T>(Outcome<T> outcome) =>
        outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(outcome.Value!);
}

/// <summary>Legal holds: a case under hold outlives its survivor's account deletion, and says why.</summary>
public sealed class LegalHolds(CaseAccess access, CaseReader reader, CaseTransactions transactions, CaseJournal journal, KintaraaCaller caller, TimeProvider clock)
{
    public async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> SetAsync(Guid id, string? reason, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<CaseView>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is null)
            {
                return IncidentService.IncidentNotFound;
            }

            var incident = view.Incident;
            if (reason is null && incident.LegalHoldAt is null)
            {
                return view;
            }

            if (reason is null && incident.SurvivorId is null)
            {
                return Errors.Conflict("hold_required", "The survivor deleted their account; the case exists only because of the hold.",
                    "Delete the case through the retention process instead.");
            }

            incident.LegalHoldReason = reason;
            incident.LegalHoldAt = reason is null ? null : clock.GetUtcNow();
            incident.LegalHoldBy = reason is null ? null : caller.UserId;
            incident.UpdatedAt = clock.GetUtcNow();
            incident.Version++;
            journal.Audit(reason is null ? "kintaraa.case.hold_lifted" : "kintaraa.case.hold_placed", "incident", id, new { incident.CaseNumber, reason });
            return view;
        }, cancellationToken);
        return outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(await reader.DetailAsync(outcome.Value!, cancellationToken));
    }
}
