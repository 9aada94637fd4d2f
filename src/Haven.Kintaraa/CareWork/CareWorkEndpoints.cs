using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.CareWork;

public sealed record CreateAppointmentRequest(
    Guid? Id,
    [property: Required] AppointmentKind? Kind,
    [property: Required, StringLength(200, MinimumLength = 2)] string Title,
    [property: Required] DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    [property: StringLength(300)] string? Location);

public sealed record UpdateAppointmentRequest(
    [property: Required] int? Version,
    [property: StringLength(200, MinimumLength = 2)] string? Title,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    [property: StringLength(300)] string? Location,
    AppointmentStatus? Status);

public sealed record AppointmentView(Guid Id, Guid IncidentId, AppointmentKind Kind, string Title, DateTimeOffset StartsAt, DateTimeOffset? EndsAt,
    string? Location, AppointmentStatus Status, ProviderBrief Provider, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version);

public sealed record CreateNoteRequest(
    Guid? Id,
    [property: Required] NoteKind? Kind,
    [property: Required, StringLength(20_000, MinimumLength = 1)] string Body,
    bool SharedWithSurvivor = false);

public sealed record NoteView(Guid Id, Guid IncidentId, NoteKind Kind, string Body, bool SharedWithSurvivor, ParticipantRole AuthorRole,
    ProviderType? AuthorProviderType, string AuthorName, DateTimeOffset CreatedAt);

internal static class CareWorkEndpoints
{
    public static readonly Error AppointmentNotFound = Errors.NotFound("Appointment");

    public static void Map(RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Kintaraa care work");
        incidents.MapGet("/{id:guid}/appointments", ListAppointmentsAsync).WithName("kintaraa_appointments_list")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Appointments, sessions and court dates of the case, in time order");
        incidents.MapPost("/{id:guid}/appointments", CreateAppointmentAsync).WithName("kintaraa_appointments_create")
            .RequireAuthorization(KintaraaPolicies.Provider)
            .WithSummary("Schedule an appointment (healthcare, community health), a session (counseling) or a court date (legal); reminders follow")
            .WithDescription("Reminders go to the survivor and the provider at the configured lead times (default 24 hours and 1 hour before).");
        incidents.MapGet("/{id:guid}/notes", ListNotesAsync).WithName("kintaraa_notes_list")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Case notes the caller may read: by profession (a counselor's session notes never reach police or legal), " +
                         "shared notes for the survivor, all for admins (audited)");
        incidents.MapPost("/{id:guid}/notes", CreateNoteAsync).WithName("kintaraa_notes_create")
            .RequireAuthorization(KintaraaPolicies.Staff)
            .WithSummary("Write a case note of a kind your profession writes (medical, session, legal, investigation, social, general)");
        api.MapPut("/appointments/{id:guid}", UpdateAppointmentAsync).WithName("kintaraa_appointments_update").WithTags("Kintaraa care work")
            .RequireAuthorization(KintaraaPolicies.Staff)
            .WithSummary("Reschedule, cancel or complete an appointment (its provider or an admin)");
    }

    internal static async Task<Results<Ok<List<AppointmentView>>, ProblemHttpResult>> ListAppointmentsAsync(
        Guid id, CaseAccess access, KintaraaDbContext db, CaseJournal journal, CancellationToken cancellationToken)
    {
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound.ToProblem();
        }

        if (!view.IsParticipant)
        {
            return Chat.ChatEndpoints.NotParticipant.ToProblem();
        }

        var rows = await db.Appointments.AsNoTracking().Where(a => a.IncidentId == id)
            .Join(db.Providers, a => a.ProviderId, p => p.Id, (a, p) => new { a, p })
            .OrderBy(x => x.a.StartsAt).ToListAsync(cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(x => ToView(x.a, x.p)).ToList());
    }

    internal static async Task<Results<Created<AppointmentView>, Ok<AppointmentView>, ProblemHttpResult>> CreateAppointmentAsync(
        Guid id, CreateAppointmentRequest request, CaseAccess access, KintaraaDbContext db, CaseTransactions transactions, CaseJournal journal,
        ReferralService referrals, KintaraaCaller caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var created = true;
        var outcome = await transactions.RunAsync<(Appointment Appointment, Provider Provider)>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is not { Relation: CaseRelation.Provider })
            {
                return IncidentService.IncidentNotFound;
            }

            if (!view.IsWorkingProvider)
            {
                return Chat.ChatEndpoints.NotParticipant;
            }

            var provider = view.Provider!;
            if (request.Id is { } clientId && await db.Appointments.FirstOrDefaultAsync(a => a.Id == clientId, ct) is { } existing)
            {
                created = false;
                return existing.IncidentId == id && existing.ProviderId == provider.Id
                    ? (existing, provider)
                    : Errors.Conflict("id_in_use", "Another appointment already uses this id.");
            }

            var now = clock.GetUtcNow();
            var kinds = NoteVisibility.AppointmentKindsFor(provider.ProviderType);
            var errors = new FieldErrors()
                .When(!kinds.Contains(request.Kind!.Value), "kind", $"A {SnakeEnum<ProviderType>.Name(provider.ProviderType)} provider schedules: {string.Join(", ", kinds.Select(SnakeEnum<AppointmentKind>.Name))}.")
                .When(request.StartsAt <= now, "starts_at", "Schedule it in the future.")
                .When(request.EndsAt is { } end && end <= request.StartsAt, "ends_at", "It must end after it starts.");
            if (errors.AsError() is { } invalid)
            {
                return invalid;
            }

            if (view.Incident.Status == CaseStatus.Closed)
            {
                return ReferralService.CaseClosed;
            }

            var appointment = new Appointment
            {
                Id = request.Id ?? Guid.CreateVersion7(now),
                IncidentId = id,
                ProviderId = provider.Id,
                Kind = request.Kind.Value,
                Title = request.Title.Trim(),
                StartsAt = request.StartsAt!.Value,
                EndsAt = request.EndsAt,
                Location = string.IsNullOrWhiteSpace(request.Location) ? null : request.Location.Trim(),
                Status = AppointmentStatus.Scheduled,
                CreatedBy = caller.UserId,
                CreatedAt = now,
                UpdatedAt = now,
                Version = 1,
            };
            db.Appointments.Add(appointment);
            journal.SystemMessage(id, $"{Describe(appointment.Kind)} scheduled: {appointment.Title}, {When(appointment.StartsAt, provider.TimeZone)}.");
            journal.Audit("kintaraa.appointment.scheduled", "appointment", appointment.Id, new { view.Incident.CaseNumber, kind = SnakeEnum<AppointmentKind>.Name(appointment.Kind) });
            journal.Publish("appointment.scheduled", new { incident_id = id, appointment_id = appointment.Id, starts_at = appointment.StartsAt, kind = SnakeEnum<AppointmentKind>.Name(appointment.Kind) },
                new Recipients([.. (await referrals.ParticipantUsersAsync(view.Incident, ct)).Where(u => u != caller.UserId)], Case: id));
            journal.Notify(view.Incident.SurvivorId, KintaraaNotifications.CaseUpdate, $"{Describe(appointment.Kind)} scheduled in {view.Incident.CaseNumber}", id);
            return (appointment, provider);
        }, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error.ToProblem();
        }

        var result = ToView(outcome.Value.Appointment, outcome.Value.Provider);
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{id}/appointments", result) : TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<AppointmentView>, ProblemHttpResult>> UpdateAppointmentAsync(
        Guid id, UpdateAppointmentRequest request, CaseAccess access, KintaraaDbContext db, CaseTransactions transactions, CaseJournal journal,
        ReferralService referrals, KintaraaCaller caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync<(Appointment Appointment, Provider Provider)>(async ct =>
        {
            var incidentId = await db.Appointments.Where(a => a.Id == id).Select(a => (Guid?)a.IncidentId).FirstOrDefaultAsync(ct);
            if (incidentId is null)
            {
                return AppointmentNotFound;
            }

            var view = await access.FindAsync(incidentId.Value, CaseAccessMode.Write, ct);
            var appointment = await db.Appointments.FirstAsync(a => a.Id == id, ct);
            if (view is null || (view.Relation != CaseRelation.Admin && !(view.IsWorkingProvider && view.Provider!.Id == appointment.ProviderId)))
            {
                return AppointmentNotFound;
            }

            if (request.Version != appointment.Version)
            {
                return IncidentService.VersionConflict(appointment.Version);
            }

            var now = clock.GetUtcNow();
            var startsAt = request.StartsAt ?? appointment.StartsAt;
            var endsAt = request.EndsAt ?? appointment.EndsAt;
            var errors = new FieldErrors()
                .When(request.StartsAt is { } s && s != appointment.StartsAt && s <= now, "starts_at", "Reschedule it to the future.")
                .When(endsAt is { } e && e <= startsAt, "ends_at", "It must end after it starts.")
                .When(appointment.Status != AppointmentStatus.Scheduled && request.Status is not null && request.Status != appointment.Status, "status",
                    "Only a scheduled appointment can change status.")
                .When(request.Status == AppointmentStatus.Scheduled && appointment.Status != AppointmentStatus.Scheduled, "status", "A finished appointment cannot be scheduled again; create a new one.");
            if (errors.AsError() is { } invalid)
            {
                return invalid;
            }

            var provider = await db.Providers.AsNoTracking().FirstAsync(p => p.Id == appointment.ProviderId, ct);
            var rescheduled = startsAt != appointment.StartsAt;
            appointment.Title = request.Title?.Trim() ?? appointment.Title;
            appointment.StartsAt = startsAt;
            appointment.EndsAt = endsAt;
            appointment.Location = request.Location is null ? appointment.Location : (string.IsNullOrWhiteSpace(request.Location) ? null : request.Location.Trim());
            if (rescheduled)
            {
                // The reminders start over for the new time.
                appointment.LastReminderMinutes = null;
                journal.SystemMessage(appointment.IncidentId, $"{Describe(appointment.Kind)} moved: {appointment.Title}, now {When(startsAt, provider.TimeZone)}.");
            }

            if (request.Status is { } status && status != appointment.Status)
            {
                appointment.Status = status;
                journal.SystemMessage(appointment.IncidentId, $"{Describe(appointment.Kind)} {appointment.Title} is {SnakeEnum<AppointmentStatus>.Name(status)}.");
            }

            appointment.UpdatedAt = now;
            appointment.Version++;
            journal.Audit("kintaraa.appointment.updated", "appointment", appointment.Id, new { rescheduled, status = SnakeEnum<AppointmentStatus>.Name(appointment.Status) });
            journal.Publish("appointment.updated", new { incident_id = appointment.IncidentId, appointment_id = appointment.Id, starts_at = appointment.StartsAt, status = SnakeEnum<AppointmentStatus>.Name(appointment.Status) },
                new Recipients([.. (await referrals.ParticipantUsersAsync(view.Incident, ct)).Where(u => u != caller.UserId)], Case: appointment.IncidentId));
            return (appointment, provider);
        }, cancellationToken);
        return outcome.Error is { } error ? error.ToProblem() : TypedResults.Ok(ToView(outcome.Value.Appointment, outcome.Value.Provider));
    }

    internal static async Task<Results<Ok<List<NoteView>>, ProblemHttpResult>> ListNotesAsync(
        Guid id, CaseAccess access, KintaraaDbContext db, CaseJournal journal, CancellationToken cancellationToken)
    {
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound.ToProblem();
        }

        if (!view.IsParticipant)
        {
            return Chat.ChatEndpoints.NotParticipant.ToProblem();
        }

        var query = db.CaseNotes.AsNoTracking().Where(n => n.IncidentId == id);
        var readable = view.Provider is { } reader ? NoteVisibility.KindsReadableBy(reader.ProviderType) : [];
        query = view.Relation switch
        {
            CaseRelation.Survivor => query.Where(n => n.SharedWithSurvivor),
            CaseRelation.Provider => query.Where(n => readable.Contains(n.Kind)),
            _ => query,
        };
        var notes = await query.OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync(cancellationToken);
        var providerIds = notes.Where(n => n.ProviderId != null).Select(n => n.ProviderId!.Value).Distinct().ToList();
        var names = await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => $"{p.DisplayName} ({p.Organisation})", cancellationToken);
        if (view.Relation == CaseRelation.Admin && notes.Count > 0)
        {
            journal.Audit("kintaraa.case.notes_viewed_by_admin", "incident", id, new { view.Incident.CaseNumber, notes = notes.Count });
        }

        await journal.FlushAsync(cancellationToken);
        return TypedResults.Ok(notes.Select(n => new NoteView(n.Id, n.IncidentId, n.Kind, n.Body, n.SharedWithSurvivor, n.AuthorRole, n.AuthorProviderType,
            n.ProviderId is { } p && names.TryGetValue(p, out var name) ? name : "Coordinator", n.CreatedAt)).ToList());
    }

    internal static async Task<Results<Created<NoteView>, Ok<NoteView>, ProblemHttpResult>> CreateNoteAsync(
        Guid id, CreateNoteRequest request, CaseAccess access, KintaraaDbContext db, CaseTransactions transactions, CaseJournal journal,
        KintaraaCaller caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var created = true;
        var outcome = await transactions.RunAsync<(CaseNote Note, string Author)>(async ct =>
        {
            var view = await access.FindAsync(id, CaseAccessMode.Write, ct);
            if (view is null || view.Relation == CaseRelation.Survivor)
            {
                return IncidentService.IncidentNotFound;
            }

            if (!view.IsParticipant)
            {
                return Chat.ChatEndpoints.NotParticipant;
            }

            var author = view.Provider is { } p ? $"{p.DisplayName} ({p.Organisation})" : "Coordinator";
            if (request.Id is { } clientId && await db.CaseNotes.FirstOrDefaultAsync(n => n.Id == clientId, ct) is { } existing)
            {
                created = false;
                return existing.IncidentId == id && existing.AuthorId == caller.UserId
                    ? (existing, author)
                    : Errors.Conflict("id_in_use", "Another note already uses this id.");
            }

            var kind = request.Kind!.Value;
            var allowed = view.Provider is { } provider ? NoteVisibility.CanWrite(provider.ProviderType, kind) : kind == NoteKind.General;
            if (!allowed)
            {
                var writable = view.Provider is { } writer ? NoteVisibility.KindsWritableBy(writer.ProviderType) : [NoteKind.General];
                return Errors.Validation("kind", $"You write notes of kind: {string.Join(", ", writable.Select(SnakeEnum<NoteKind>.Name))}.");
            }

            var now = clock.GetUtcNow();
            var note = new CaseNote
            {
                Id = request.Id ?? Guid.CreateVersion7(now),
                IncidentId = id,
                AuthorId = caller.UserId,
                AuthorRole = view.Role,
                ProviderId = view.Provider?.Id,
                AuthorProviderType = view.Provider?.ProviderType,
                Kind = kind,
                Body = request.Body.Trim(),
                SharedWithSurvivor = request.SharedWithSurvivor,
                CreatedAt = now,
            };
            db.CaseNotes.Add(note);
            journal.Audit("kintaraa.note.written", "case_note", note.Id, new { view.Incident.CaseNumber, kind = SnakeEnum<NoteKind>.Name(kind), note.SharedWithSurvivor });
            if (note.SharedWithSurvivor)
            {
                journal.Publish("note.shared", new { incident_id = id, note_id = note.Id }, Recipients.To(view.Incident.SurvivorId));
                journal.Notify(view.Incident.SurvivorId, KintaraaNotifications.CaseUpdate, $"A note was shared with you in {view.Incident.CaseNumber}", id);
            }

            return (note, author);
        }, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error.ToProblem();
        }

        var (n, authorName) = outcome.Value;
        var result = new NoteView(n.Id, n.IncidentId, n.Kind, n.Body, n.SharedWithSurvivor, n.AuthorRole, n.AuthorProviderType, authorName, n.CreatedAt);
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{id}/notes", result) : TypedResults.Ok(result);
    }

    internal static AppointmentView ToView(Appointment a, Provider p) => new(a.Id, a.IncidentId, a.Kind, a.Title, a.StartsAt, a.EndsAt, a.Location, a.Status,
        new ProviderBrief(p.Id, p.ProviderType, p.DisplayName, p.Organisation, p.Phone), a.CreatedAt, a.UpdatedAt, a.Version);

    internal static string Describe(AppointmentKind kind) => kind switch
    {
        AppointmentKind.CourtDate => "Court date",
        AppointmentKind.Session => "Session",
        _ => "Appointment",
    };

    internal static string When(DateTimeOffset at, string timeZone)
    {
        Routing.WorkingHours.TryFindTimeZone(timeZone, out var zone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return string.Create(CultureInfo.InvariantCulture, $"{local:ddd d MMM yyyy HH:mm} ({timeZone})");
    }
}
