using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Routing;

public sealed record ConsentInput([property: Required] ConsentMethod? Method, [property: StringLength(500)] string? Note);

public sealed record ConsentRequest(
    [property: Required] SupportService? Service,
    [property: Required] bool? Granted,
    ConsentMethod? Method,
    [property: StringLength(500)] string? Note);

public sealed record OnwardReferralRequest(
    [property: Required] SupportService? Service,
    Guid? ToProviderId,
    ConsentInput? Consent,
    [property: StringLength(1000)] string? Note);

public sealed record DeclineRequest(
    [property: Required, StringLength(32)] string Code,
    [property: Required, StringLength(500, MinimumLength = 3)] string Reason);

public sealed record CompleteReferralRequest([property: StringLength(1000)] string? Note);

public sealed record TransferRequest(Guid? ToProviderId, [property: Required] ConsentInput? Consent, [property: StringLength(1000)] string? Note);

public sealed record RevokeRequest([property: Required, StringLength(500, MinimumLength = 3)] string Reason);

public sealed record RatingRequest([property: Required, Range(1, 5)] short? Rating);

/// <summary>A referral waiting in the admin queue because no provider could take it.</summary>
public sealed record QueuedReferral(Guid Id, Guid IncidentId, string CaseNumber, SupportService Service, ProviderType ProviderType, Priority Priority,
    DateTimeOffset CreatedAt, DateTimeOffset? QueuedAt, RoutingTrace? Routing);

internal static class ReferralEndpoints
{
    /// <summary>Reasons a provider may give for declining; <c>no_response</c> is the system's own.</summary>
    public static readonly IReadOnlySet<string> DeclineCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "at_capacity", "out_of_area", "not_my_specialty", "conflict_of_interest", "unavailable", "other",
    };

    public static void Map(RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Kintaraa referrals");
        incidents.MapPost("/{id:guid}/consents", ConsentAsync).WithName("kintaraa_consents_record")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Record the survivor's consent for a service: granting routes it, withdrawing ends its referral")
            .WithDescription("The survivor decides in the app (method `app`); a provider working the case records what the survivor said " +
                             "or signed (`verbal`, `written`, granting only).");
        incidents.MapPost("/{id:guid}/referrals", ReferOnwardAsync).WithName("kintaraa_referrals_onward")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Refer the survivor onward to another service (to a named provider or the best one); needs consent for that service");

        var referrals = api.MapGroup("/referrals").WithTags("Kintaraa referrals");
        referrals.MapGet("/queue", QueueAsync).WithName("kintaraa_referrals_queue")
            .RequireAuthorization(KintaraaPolicies.Admin)
            .WithSummary("Referrals no provider could take, oldest first, with the routing reasons");
        referrals.MapPost("/{id:guid}/accept", AcceptAsync).WithName("kintaraa_referrals_accept")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Accept a referral offered to you");
        referrals.MapPost("/{id:guid}/decline", DeclineAsync).WithName("kintaraa_referrals_decline")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Decline a referral with a reason; it goes to the next provider at once")
            .WithDescription("`code` is one of at_capacity, out_of_area, not_my_specialty, conflict_of_interest, unavailable, other.");
        referrals.MapPost("/{id:guid}/complete", CompleteAsync).WithName("kintaraa_referrals_complete")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Mark your part of the case done; when every part is done the case is completed");
        referrals.MapPost("/{id:guid}/transfer", TransferAsync).WithName("kintaraa_referrals_transfer")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Hand your part of the case to another provider of your type (with the survivor's consent)");
        referrals.MapPost("/{id:guid}/revoke", RevokeAsync).WithName("kintaraa_referrals_revoke")
            .RequireAuthorization(KintaraaPolicies.SurvivorOrAdmin)
            .WithSummary("End a live referral: the survivor withdraws consent for the service; an admin's revocation re-routes it");
        referrals.MapPost("/{id:guid}/rating", RateAsync).WithName("kintaraa_referrals_rate")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Rate the help of a provider whose part is done (1–5)");
    }

    private static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> ConsentAsync(
        Guid id, ConsentRequest request, CaseAccess access, CaseReader reader, ReferralService referrals, CaseTransactions transactions,
        KintaraaCaller caller, CaseJournal journal, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<CaseView>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is null)
            {
                return IncidentService.IncidentNotFound;
            }

            var service = request.Service!.Value;
            var granted = request.Granted!.Value;
            var method = request.Method ?? (view.Relation == CaseRelation.Survivor ? ConsentMethod.App : ConsentMethod.Verbal);
            var errors = new FieldErrors()
                .When(view.Relation == CaseRelation.Survivor && method != ConsentMethod.App, "method", "In the app your consent is recorded as 'app'.")
                .When(view.Relation != CaseRelation.Survivor && method is not (ConsentMethod.Verbal or ConsentMethod.Written), "method",
                    "Record consent the survivor gave you as 'verbal' or 'written'.")
                .When(view.Relation != CaseRelation.Survivor && !granted, "granted", "Only the survivor withdraws their consent.");
            if (view.Relation == CaseRelation.Provider && !view.IsWorkingProvider)
            {
                return Errors.Forbidden("not_working_case", "Accept the referral before recording consent on the case.");
            }

            if (errors.AsError() is { } invalid)
            {
                return invalid;
            }

            if (view.Incident.Status == CaseStatus.Closed)
            {
                return ReferralService.CaseClosed;
            }

            if (!granted)
            {
                await referrals.WithdrawConsentAsync(view.Incident, service, request.Note, caller.UserId, ct);
                return view;
            }

            referrals.RecordConsent(id, service, true, method, caller.UserId, view.Role, request.Note);
            if (!view.Incident.SupportServices.Contains(service))
            {
                view.Incident.SupportServices = [.. view.Incident.SupportServices, service];
            }

            journal.SystemMessage(id, $"Consent recorded for {CaseWording.Service(service)}.");
            await referrals.RouteAsync(view.Incident, service, ReferralKind.Routed, ct, referredBy: view.Relation == CaseRelation.Survivor ? null : caller.UserId);
            await referrals.ReconcileAsync(view.Incident, CaseActor.System, ct);
            return view;
        }, cancellationToken);
        return outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(await reader.DetailAsync(outcome.Value!, cancellationToken));
    }

    private static async Task<Results<Created<ReferralView>, ProblemHttpResult>> ReferOnwardAsync(
        Guid id, OnwardReferralRequest request, ReferralActions actions, KintaraaDbContext db, CancellationToken cancellationToken)
    {
        var outcome = await actions.ReferOnwardAsync(id, request, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error.ToProblem();
        }

        var view = await ToViewAsync(db, outcome.Value!, cancellationToken);
        return TypedResults.Created($"/api/kintaraa/incidents/{id}", view);
    }

    private static async Task<Ok<List<QueuedReferral>>> QueueAsync(ReferralQueue queue, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queue.ListAsync(cancellationToken));

    private static Task<Results<Ok<ReferralView>, ProblemHttpResult>> AcceptAsync(Guid id, ReferralActions actions, CancellationToken cancellationToken) =>
        actions.AsProviderAsync(id, (view, referral, service, ct) => service.AcceptAsync(view, referral, ct), cancellationToken);

    private static Task<Results<Ok<ReferralView>, ProblemHttpResult>> DeclineAsync(
        Guid id, DeclineRequest request, ReferralActions actions, CancellationToken cancellationToken)
    {
        if (!DeclineCodes.Contains(request.Code))
        {
            return Task.FromResult<Results<Ok<ReferralView>, ProblemHttpResult>>(
                Errors.Validation("code", $"Use one of: {string.Join(", ", DeclineCodes)}.").ToProblem());
        }

        return actions.AsProviderAsync(id, (view, referral, service, ct) => service.DeclineAsync(view, referral, request.Code, request.Reason.Trim(), ct), cancellationToken);
    }

    private static Task<Results<Ok<ReferralView>, ProblemHttpResult>> CompleteAsync(
        Guid id, CompleteReferralRequest? request, ReferralActions actions, CancellationToken cancellationToken) =>
        actions.AsProviderAsync(id, (view, referral, service, ct) => service.CompleteAsync(view, referral, request?.Note, ct), cancellationToken);

    private static Task<Results<Ok<ReferralView>, ProblemHttpResult>> TransferAsync(
        Guid id, TransferRequest request, ReferralActions actions, CancellationToken cancellationToken) =>
        actions.TransferAsync(id, request, cancellationToken);

    private static Task<Results<Ok<ReferralView>, ProblemHttpResult>> RevokeAsync(
        Guid id, RevokeRequest request, ReferralActions actions, KintaraaCaller caller, CancellationToken cancellationToken) =>
        actions.OnCaseAsync(id, (view, referral, service, ct) => service.RevokeAsync(view, referral, request.Reason.Trim(), caller.UserId, ct), cancellationToken);

    private static Task<Results<Ok<ReferralView>, ProblemHttpResult>> RateAsync(
        Guid id, RatingRequest request, ReferralActions actions, CancellationToken cancellationToken) =>
        actions.OnCaseAsync(id, (_, referral, service, ct) => service.RateAsync(referral, request.Rating!.Value, ct), cancellationToken, survivorOnly: true);

    internal static async Task<ReferralView> ToViewAsync(KintaraaDbContext db, Referral referral, CancellationToken cancellationToken)
    {
        var providers = referral.ProviderId is { } pid
            ? await db.Providers.AsNoTracking().Where(p => p.Id == pid).ToDictionaryAsync(p => p.Id, cancellationToken)
            : [];
        return CaseReader.ToView(referral, providers, withRouting: false);
    }
}

/// <summary>Loads a referral with its case locked and checks the caller's part in it before an action runs.</summary>
public sealed class ReferralActions(KintaraaDbContext db, CaseAccess access, ReferralService referrals, CaseTransactions transactions, KintaraaCaller caller)
{
    public delegate Task<Error?> ReferralAction(CaseView view, Referral referral, ReferralService service, CancellationToken cancellationToken);

    /// <summary>For the provider the referral was made to (anyone else: 404).</summary>
    public Task<Results<Ok<ReferralView>, ProblemHttpResult>> AsProviderAsync(Guid referralId, ReferralAction action, CancellationToken cancellationToken) =>
        RunAsync(referralId, view => view.Relation == CaseRelation.Provider, providerOnly: true, action, cancellationToken);

    /// <summary>The caller, a provider working the case, refers the survivor onward to another service.</summary>
    public Task<Outcome<Referral>> ReferOnwardAsync(Guid id, OnwardReferralRequest request, CancellationToken cancellationToken) =>
        transactions.RunAsync<Referral>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is not { Relation: CaseRelation.Provider })
            {
                return IncidentService.IncidentNotFound;
            }

            if (!view.IsWorkingProvider)
            {
                return Errors.Forbidden("not_working_case", "Accept the referral before referring the survivor onward.");
            }

            if (view.Incident.Status == CaseStatus.Closed)
            {
                return ReferralService.CaseClosed;
            }

            var consent = request.Consent is { } c ? new RecordedConsent(c.Method!.Value, c.Note) : null;
            if (consent is { Method: not (ConsentMethod.Verbal or ConsentMethod.Written) })
            {
                return Errors.Validation("consent.method", "Record consent the survivor gave you as 'verbal' or 'written'.");
            }

            return await referrals.ReferOnwardAsync(view, request.Service!.Value, request.ToProviderId, consent, request.Note, caller.UserId, ct);
        }, cancellationToken);

    /// <summary>The provider the referral was made to hands their part to another provider of their type.</summary>
    public async Task<Results<Ok<ReferralView>, ProblemHttpResult>> TransferAsync(Guid referralId, TransferRequest request, CancellationToken cancellationToken)
    {
        if (request.Consent!.Method is not (ConsentMethod.Verbal or ConsentMethod.Written))
        {
            return Errors.Validation("consent.method", "Record the survivor's consent to the transfer as 'verbal' or 'written'.").ToProblem();
        }

        return await AsProviderAsync(referralId, async (view, referral, service, ct) =>
            (await service.TransferAsync(view, referral, request.ToProviderId, new RecordedConsent(request.Consent.Method!.Value, request.Consent.Note),
                request.Note, caller.UserId, ct)).Error, cancellationToken);
    }

    /// <summary>For the survivor of the case or an admin.</summary>
    public Task<Results<Ok<ReferralView>, ProblemHttpResult>> OnCaseAsync(
        Guid referralId, ReferralAction action, CancellationToken cancellationToken, bool survivorOnly = false) =>
        RunAsync(referralId, view => survivorOnly ? view.Relation == CaseRelation.Survivor : view.Relation is CaseRelation.Survivor or CaseRelation.Admin,
            providerOnly: false, action, cancellationToken);

    private async Task<Results<Ok<ReferralView>, ProblemHttpResult>> RunAsync(
        Guid referralId, Func<CaseView, bool> allowed, bool providerOnly, ReferralAction action, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<Referral>(async ct =>
        {
            var incidentId = await db.Referrals.Where(r => r.Id == referralId).Select(r => (Guid?)r.IncidentId).FirstOrDefaultAsync(ct);
            if (incidentId is null)
            {
                return ReferralService.ReferralNotFound;
            }

            var view = await access.FindAsync(incidentId.Value, CaseAccessMode.Write, ct);
            if (view is null || !allowed(view))
            {
                return ReferralService.ReferralNotFound;
            }

            var referral = await db.Referrals.FirstAsync(r => r.Id == referralId, ct);
            if (providerOnly && referral.ProviderId != view.Provider?.Id)
            {
                return ReferralService.ReferralNotFound;
            }

            if (await action(view, referral, referrals, ct) is { } error)
            {
                return error;
            }

            return referral;
        }, cancellationToken);
        if (outcome.Error is { } failed)
        {
            return failed.ToProblem();
        }

        return TypedResults.Ok(await ReferralEndpoints.ToViewAsync(db, outcome.Value!, cancellationToken));
    }
}
