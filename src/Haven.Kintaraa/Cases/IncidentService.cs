using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Kintaraa.Cases;

/// <summary>The result of reporting: the case, whether this call made it (false for a repeated report), and its receipt code when anonymous.</summary>
public sealed record ReportResult(IncidentDetail Incident, bool Created);

/// <summary>
/// Reporting and changing cases. <see cref="ReportAsync"/> is what the report endpoint, SOS and the offline sync batch
/// call: the client's id makes it idempotent, so a retried or re-synced report returns the case it already made.
/// </summary>
public sealed class IncidentService(
    KintaraaDbContext db,
    KintaraaCaller caller,
    CaseAccess access,
    CaseReader reader,
    CaseNumbers caseNumbers,
    ReceiptCodes receipts,
    ReferralService referrals,
    CaseTransactions transactions,
    CaseJournal journal,
    TimeProvider clock,
    IOptions<KintaraaOptions> options)
{
    public static readonly Error IncidentNotFound = Errors.NotFound("Incident");

    public static readonly Error IdInUse = Errors.Conflict("id_in_use", "Another report already uses this id.", "Generate a new id for a new report.");

    public static Error VersionConflict(int current) => Errors.Conflict("version_conflict", "The case was changed by someone else.",
        "Reload the case and apply your change again.") with
    {
        Extensions = new Dictionary<string, object?> { ["current_version"] = current },
    };

    public static Error IllegalTransition(CaseStatus from, CaseStatus to, IReadOnlyList<CaseStatus> allowed) => Errors.Conflict(
        "illegal_transition", $"A case that is {CaseWording.Status(from)} cannot become {CaseWording.Status(to)}.") with
    {
        Extensions = new Dictionary<string, object?>
        {
            ["current_status"] = SnakeEnum<CaseStatus>.Name(from),
            ["allowed_transitions"] = allowed.Select(SnakeEnum<CaseStatus>.Name).ToArray(),
        },
    };

    /// <summary>Reports an incident for the signed-in survivor and routes every consented service.</summary>
    public async Task<Outcome<ReportResult>> ReportAsync(ReportIncidentRequest request, CaseSource source, CancellationToken cancellationToken)
    {
        var survivorId = caller.UserId;
        var errors = Validate(request);
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var id = request.Id ?? Guid.CreateVersion7(clock.GetUtcNow());
        if (await ReplayAsync(id, survivorId, cancellationToken) is { } replay)
        {
            return replay;
        }

        var now = clock.GetUtcNow();
        WorkingHours.TryFindTimeZone(options.Value.CaseNumberTimeZone, out var zone);
        var caseNumber = await caseNumbers.NextAsync(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime), cancellationToken);
        var receipt = request.IsAnonymous ? ReceiptCodes.Generate() : null;
        var services = (request.SupportServices ?? []).Distinct().Order().ToList();
        var consented = (request.ConsentedServices ?? []).Distinct().Order().ToList();

        Outcome<Incident> outcome;
        try
        {
            outcome = await WithFreshHandleOnCollisionAsync(handle => transactions.RunAsync<Incident>(async ct =>
            {
                var precision = request.Location is null ? LocationPrecision.None : request.LocationPrecision ?? LocationPrecision.Exact;
                var incident = new Incident
                {
                    Id = id,
                    CaseNumber = caseNumber,
                    Handle = handle,
                    SurvivorId = survivorId,
                    IsAnonymous = request.IsAnonymous,
                    ReceiptCodeHash = receipt is null ? null : receipts.Hash(receipt),
                    Source = source,
                    Type = request.Type,
                    Status = CaseStatus.New,
                    Priority = request.Priority ?? (request.Severity == Severity.High ? Priority.High : Priority.Medium),
                    Severity = request.Severity,
                    IncidentDate = request.IncidentDate,
                    IncidentTime = request.IncidentTime,
                    Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(),
                    Location = LocationPrivacy.Reduce(ToLocation(request.Location), precision),
                    LocationPrecision = precision,
                    SupportServices = services,
                    CreatedAt = now,
                    UpdatedAt = now,
                    Version = 1,
                };
                db.Incidents.Add(incident);
                journal.SystemMessage(incident.Id, source == CaseSource.Sos
                    ? $"SOS alert {caseNumber} raised. Emergency responders are being alerted."
                    : $"Case {caseNumber} was reported.");
                foreach (var service in services)
                {
                    referrals.RecordConsent(incident.Id, service, consented.Contains(service), source == CaseSource.Sos ? ConsentMethod.Sos : ConsentMethod.App,
                        survivorId, ParticipantRole.Survivor, null);
                }

                await db.SaveChangesAsync(ct);
                journal.Audit("kintaraa.case.created", "incident", incident.Id,
                    new { caseNumber, source = SnakeEnum<CaseSource>.Name(source), incident.IsAnonymous, services = services.Select(SnakeEnum<SupportService>.Name) });
                foreach (var service in consented)
                {
                    await referrals.RouteAsync(incident, service, source == CaseSource.Sos ? ReferralKind.Sos : ReferralKind.Routed, ct);
                }

                await referrals.ReconcileAsync(incident, CaseActor.System, ct);
                journal.Publish("case.created", new
                {
                    incident_id = incident.Id,
                    case_number = caseNumber,
                    priority = SnakeEnum<Priority>.Name(incident.Priority),
                    source = SnakeEnum<CaseSource>.Name(source),
                }, Recipients.Coordinators);
                return incident;
            }, cancellationToken));
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "pk_incidents" })
        {
            // The same report arrived twice at once; the other copy won. Answer as for any repeat.
            return await ReplayAsync(id, survivorId, cancellationToken) ?? IdInUse;
        }

        if (outcome.Error is { } error)
        {
            return error;
        }

        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        var detail = await reader.DetailAsync(view!, cancellationToken);
        return new ReportResult(detail with { ReceiptCode = receipt }, true);
    }

    /// <summary>Runs a case insert with a new handle, drawing another if one in a billion collides with an existing case's.</summary>
    private static async Task<Outcome<Incident>> WithFreshHandleOnCollisionAsync(Func<string, Task<Outcome<Incident>>> insert)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await insert(CaseNumbers.NewHandle());
            }
            catch (DbUpdateException e) when (attempt < 3
                && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ix_incidents_handle" })
            {
            }
        }
    }

    /// <summary>
    /// A report with an id that exists: the same survivor gets their case back (an anonymous one with a fresh receipt
    /// code, since the first answer may never have arrived); anyone else is told the id is taken.
    /// </summary>
    private async Task<Outcome<ReportResult>?> ReplayAsync(Guid id, Guid survivorId, CancellationToken cancellationToken)
    {
        var existing = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (existing is null)
        {
            return null;
        }

        if (existing.SurvivorId != survivorId)
        {
            return IdInUse;
        }

        string? receipt = null;
        if (existing.IsAnonymous)
        {
            receipt = ReceiptCodes.Generate();
            existing.ReceiptCodeHash = receipts.Hash(receipt);
            journal.Audit("kintaraa.case.receipt_reissued", "incident", existing.Id, new { existing.CaseNumber });
            await db.SaveChangesAsync(cancellationToken);
            await journal.FlushAsync(cancellationToken);
        }

        var view = await access.ViewAsync(existing, CaseAccessMode.Read, cancellationToken);
        return new ReportResult((await reader.DetailAsync(view!, cancellationToken)) with { ReceiptCode = receipt }, false);
    }

    public async Task<Outcome<IncidentDetail>> UpdateAsync(Guid id, UpdateIncidentRequest request, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<CaseView>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is null)
            {
                return IncidentNotFound;
            }

            var incident = view.Incident;
            var errors = new FieldErrors();
            var survivorOnly = request.Description is not null || request.Location is not null || request.LocationPrecision is not null
                               || request.IncidentDate is not null || request.IncidentTime is not null;
            errors.When(survivorOnly && view.Relation != CaseRelation.Survivor, "description",
                "Only the survivor can change their account of what happened (description, date, time, location).");
            errors.When(view.Relation == CaseRelation.Provider && !view.IsWorkingProvider, "version", "Accept the referral before changing the case.");
            errors.When(request.IncidentDate is { } date && date > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1), "incident_date", "The date is in the future.");
            AddLocationErrors(errors, request.Location);
            if (errors.AsError() is { } invalid)
            {
                return invalid with { Status = view.Relation == CaseRelation.Survivor ? 400 : 403, Code = view.Relation == CaseRelation.Survivor ? invalid.Code : "not_editable" };
            }

            if (incident.Status == CaseStatus.Closed)
            {
                return ReferralService.CaseClosed;
            }

            if (request.Version != incident.Version)
            {
                return VersionConflict(incident.Version);
            }

            var changed = new List<string>();
            if (request.Type is { } type && type != incident.Type)
            {
                incident.Type = type;
                changed.Add("type");
            }

            if (request.Priority is { } priority && priority != incident.Priority)
            {
                journal.SystemMessage(incident.Id, $"Priority changed from {SnakeEnum<Priority>.Name(incident.Priority)} to {SnakeEnum<Priority>.Name(priority)}.");
                incident.Priority = priority;
                changed.Add("priority");
            }

            if (request.Severity is { } severity && severity != incident.Severity)
            {
                incident.Severity = severity;
                changed.Add("severity");
            }

            if (request.IncidentDate is { } incidentDate && incidentDate != incident.IncidentDate)
            {
                incident.IncidentDate = incidentDate;
                changed.Add("incident_date");
            }

            if (request.IncidentTime is { } incidentTime && incidentTime != incident.IncidentTime)
            {
                incident.IncidentTime = incidentTime;
                changed.Add("incident_time");
            }

            if (request.Description is { } description)
            {
                incident.Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
                changed.Add("description");
            }

            if (request.Location is not null || request.LocationPrecision is not null)
            {
                var precision = request.LocationPrecision ?? incident.LocationPrecision;
                var source = request.Location is not null ? ToLocation(request.Location) : incident.Location;
                // Precision can only be lowered for what is stored: an exact location cannot be rebuilt from a rounded one.
                incident.Location = LocationPrivacy.Reduce(source, precision);
                incident.LocationPrecision = precision;
                changed.Add("location");
            }

            if (changed.Count > 0)
            {
                incident.UpdatedAt = clock.GetUtcNow();
                incident.Version++;
                journal.Audit("kintaraa.case.updated", "incident", incident.Id, new { incident.CaseNumber, fields = changed });
                journal.Publish("case.updated", new { incident_id = incident.Id, case_number = incident.CaseNumber, fields = changed },
                    new Recipients([.. await referrals.ParticipantUsersAsync(incident, ct)], Case: incident.Id));
            }

            return view;
        }, cancellationToken);

        return outcome.Error ?? (Outcome<IncidentDetail>)await reader.DetailAsync(outcome.Value!, cancellationToken);
    }

    /// <summary>Completes or closes a case (the transitions people make); anything else is an illegal transition.</summary>
    public async Task<Outcome<IncidentDetail>> ChangeStatusAsync(Guid id, CaseStatus target, string? reason, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<CaseView>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is null)
            {
                return IncidentNotFound;
            }

            var incident = view.Incident;
            var allowed = CaseReader.AllowedTransitions(view);
            if (!allowed.Contains(target))
            {
                return IllegalTransition(incident.Status, target, allowed);
            }

            var withdrawing = target == CaseStatus.Closed && incident.Status != CaseStatus.Completed;
            if (withdrawing && string.IsNullOrWhiteSpace(reason))
            {
                return Errors.Validation("reason", "Say why the case is closed before it was completed.");
            }

            await referrals.EndAllAsync(incident, completed: target == CaseStatus.Completed,
                reason: target == CaseStatus.Completed ? "The case was completed." : "The case was closed.", ct);
            await referrals.ChangeStatusAsync(incident, target, view.Actor, reason, ct);
            return view;
        }, cancellationToken);

        return outcome.Error ?? (Outcome<IncidentDetail>)await reader.DetailAsync(outcome.Value!, cancellationToken);
    }

    private FieldErrors Validate(ReportIncidentRequest request)
    {
        var errors = new FieldErrors();
        errors.When(request.Id == Guid.Empty, "id", "Use a random id (a UUID), not zeros.");
        var services = request.SupportServices ?? [];
        errors.When((request.ConsentedServices ?? []).Any(s => !services.Contains(s)), "consented_services",
            "Consent can only be given for services the report requests.");
        errors.When(request.IncidentDate is { } date && date > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1), "incident_date", "The date is in the future.");
        errors.When(request.LocationPrecision is not null && request.Location is null, "location_precision", "Precision needs a location.");
        AddLocationErrors(errors, request.Location);
        return errors;
    }

    private static void AddLocationErrors(FieldErrors errors, LocationInput? location)
    {
        if (location is null)
        {
            return;
        }

        errors.When(location.Latitude.HasValue != location.Longitude.HasValue, "location", "Give both latitude and longitude, or neither.");
        errors.When(location.Latitude is null && string.IsNullOrWhiteSpace(location.Address) && string.IsNullOrWhiteSpace(location.Description),
            "location", "A location needs coordinates, an address or a description.");
    }

    private static CaseLocation? ToLocation(LocationInput? input) => input is null
        ? null
        : new CaseLocation(input.Latitude, input.Longitude, Blank(input.Address), Blank(input.Description));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
