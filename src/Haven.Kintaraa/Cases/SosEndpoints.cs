using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Cases;

/// <summary>One tap: where the survivor is, and optionally a word about it. <c>id</c> makes a resent alert one alert.</summary>
public sealed record SosRequest(
    Guid? Id,
    [property: Required, Range(-90.0, 90.0)] double? Latitude,
    [property: Required, Range(-180.0, 180.0)] double? Longitude,
    [property: Range(0.0, 100_000.0)] double? AccuracyM,
    [property: StringLength(1000)] string? Note);

public sealed record ReceiptRequest([property: Required, StringLength(32)] string ReceiptCode);

public sealed record ReceiptReferral(SupportService Service, ReferralStatus Status, bool Queued, string? Organisation);

/// <summary>What a receipt code shows without signing in: where the case stands, never its content.</summary>
public sealed record ReceiptStatus(string CaseNumber, CaseStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<ReceiptReferral> Referrals, int MessageCount);

internal static class SosEndpoints
{
    public static readonly Error ReceiptNotFound = new("receipt_not_found", StatusCodes.Status404NotFound,
        "No case matches this receipt code.", "Check the 16 digits; a code stops working when a new one is issued.");

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/sos", SosAsync).WithName("kintaraa_sos").WithTags("Kintaraa SOS")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("SOS: one call with a location raises a critical case and alerts the nearest GBV rescue and police providers at once")
            .WithDescription("Pressing SOS is consent to emergency rescue and police help. On-call responders are alerted outside working hours; " +
                             "an alert nobody answers within the critical timeout goes to the next responder.");
        var receipts = api.MapGroup("/receipts").WithTags("Kintaraa anonymous reporting");
        receipts.MapPost("/lookup", LookupAsync).WithName("kintaraa_receipts_lookup")
            .AllowAnonymous("an anonymous reporter returns with the receipt code alone, from any device")
            .WithSummary("Where an anonymous case stands, by its receipt code (no sign-in)");
        receipts.MapPost("/claim", ClaimAsync).WithName("kintaraa_receipts_claim")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Bring an anonymous case to this device's account with its receipt code (the previous device loses it)");
    }

    private static async Task<Results<Created<IncidentDetail>, Ok<IncidentDetail>, ProblemHttpResult>> SosAsync(
        SosRequest request, IncidentService incidents, CancellationToken cancellationToken)
    {
        var report = new ReportIncidentRequest(
            request.Id, Type: null, Priority.Critical, Severity.High, IncidentDate: null, IncidentTime: null, request.Note,
            new LocationInput(request.Latitude, request.Longitude, null,
                request.AccuracyM is { } m ? FormattableString.Invariant($"GPS fix, accurate to about {Math.Round(m)} m") : null),
            LocationPrecision.Exact, [SupportService.Emergency, SupportService.Police], [SupportService.Emergency, SupportService.Police]);
        var result = await incidents.ReportAsync(report, CaseSource.Sos, cancellationToken);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var (incident, created) = result.Value!;
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{incident.Id}", incident) : TypedResults.Ok(incident);
    }

    private static async Task<Results<Ok<ReceiptStatus>, ProblemHttpResult>> LookupAsync(
        ReceiptRequest request, KintaraaDbContext db, ReceiptCodes receipts, CaseJournal journal, CancellationToken cancellationToken)
    {
        if (await FindAsync(request.ReceiptCode, db, receipts, cancellationToken) is not { } incident)
        {
            return ReceiptNotFound.ToProblem();
        }

        var referrals = await db.Referrals.AsNoTracking().Where(r => r.IncidentId == incident.Id)
            .GroupJoin(db.Providers, r => r.ProviderId, p => p.Id, (r, ps) => new { r, ps })
            .SelectMany(x => x.ps.DefaultIfEmpty(), (x, p) => new { x.r.Service, x.r.Status, x.r.ProviderId, x.r.CreatedAt, Organisation = p == null ? null : p.Organisation })
            .OrderBy(x => x.CreatedAt).ToListAsync(cancellationToken);
        var messages = await db.Messages.CountAsync(m => m.IncidentId == incident.Id, cancellationToken);
        journal.Audit("kintaraa.case.receipt_lookup", "incident", incident.Id, new { incident.CaseNumber });
        await journal.FlushAsync(cancellationToken);
        return TypedResults.Ok(new ReceiptStatus(incident.CaseNumber, incident.Status, incident.CreatedAt, incident.UpdatedAt,
            [.. referrals.Select(r => new ReceiptReferral(r.Service, r.Status, r.ProviderId is null && r.Status == ReferralStatus.Pending, r.Organisation))], messages));
    }

    private static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> ClaimAsync(
        ReceiptRequest request, KintaraaDbContext db, ReceiptCodes receipts, KintaraaCaller caller, CaseAccess access, CaseReader reader,
        CaseTransactions transactions, CaseJournal journal, TimeProvider clock, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<CaseView>(async ct =>
        {
            if (await FindAsync(request.ReceiptCode, db, receipts, ct) is not { } found)
            {
                return ReceiptNotFound;
            }

            var incident = (await db.Incidents.FromSql($"SELECT * FROM kintaraa.incidents WHERE id = {found.Id} FOR UPDATE").ToListAsync(ct)).Single();
            if (incident.SurvivorId != caller.UserId)
            {
                incident.SurvivorId = caller.UserId;
                incident.UpdatedAt = clock.GetUtcNow();
                incident.Version++;
                journal.SystemMessage(incident.Id, "The reporter returned to this case from another device.");
                journal.Audit("kintaraa.case.claimed_with_receipt", "incident", incident.Id, new { incident.CaseNumber });
            }

            return (await access.ViewAsync(incident, CaseAccessMode.Write, ct))!;
        }, cancellationToken);
        return outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(await reader.DetailAsync(outcome.Value!, cancellationToken));
    }

    private static async Task<Incident?> FindAsync(string code, KintaraaDbContext db, ReceiptCodes receipts, CancellationToken cancellationToken)
    {
        if (ReceiptCodes.Normalize(code) is not { } digits)
        {
            return null;
        }

        var hashes = receipts.Candidates(digits);
        return await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.ReceiptCodeHash != null && hashes.Contains(i.ReceiptCodeHash), cancellationToken);
    }
}
