using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.CareWork;

/// <summary>
/// Appointments and case notes: who may schedule what (by profession), who reads which notes (a counselor's session
/// notes never reach police or legal), and what each change tells the others. The API and the provider portal both
/// call it, so they decide alike.
/// </summary>
public sealed class CareWorkService(
    CaseAccess access, KintaraaDbContext db, CaseTransactions transactions, CaseJournal journal, ReferralService referrals, KintaraaCaller caller, TimeProvider clock)
{
    public async Task<Outcome<List<AppointmentView>>> ListAppointmentsAsync(Guid id, CancellationToken cancellationToken)
{
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound;
        }

        if (!view.IsParticipant)
        {
            return Chat.ChatEndpoints.NotParticipant;
        }

        var rows = await db.Appointments.AsNoTracking().Where(a => a.IncidentId == id)
            .Join(db.Providers, a => a.ProviderId, p => p.Id, (a, p) => new { a, p })
            .OrderBy(x => x.a.StartsAt).ToListAsync(cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return rows.Select(x => CareWorkEndpoints.ToView(x.a, x.p)).ToList();
    }

    public async Task<Outcome<(AppointmentView View, bool Created)>> CreateAppointmentAsync(Guid id, CreateAppointmentRequest request, CancellationToken cancellationToken)
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
            journal.SystemMessage(id, $"{CareWorkEndpoints.Describe(appointment.Kind)} scheduled: {appointment.Title}, {CareWorkEndpoints.When(appointment.StartsAt, provider.TimeZone)}.");
            journal.Audit("kintaraa.appointment.scheduled", "appointment", appointment.Id, new { view.Incident.CaseNumber, kind = SnakeEnum<AppointmentKind>.Name(appointment.Kind) });
            journal.Publish("appointment.scheduled", new { incident_id = id, appointment_id = appointment.Id, starts_at = appointment.StartsAt, kind = SnakeEnum<AppointmentKind>.Name(appointment.Kind) },
                new Recipients([.. (await referrals.ParticipantUsersAsync(view.Incident, ct)).Where(u => u != caller.UserId)], Case: id));
            journal.Notify(view.Incident.SurvivorId, KintaraaNotifications.CaseUpdate, $"{CareWorkEndpoints.Describe(appointment.Kind)} scheduled in {view.Incident.CaseNumber}", id);
            return (appointment, provider);
        }, cancellationToken);
        return outcome.Error is { } error ? error : (CareWorkEndpoints.ToView(outcome.Value.Appointment, outcome.Value.Provider), created);
    }

    public async Task<Outcome<AppointmentView>> UpdateAppointmentAsync(Guid id, UpdateAppointmentRequest request, CancellationToken cancellationToken)
{
        var outcome = await transactions.RunAsync<(Appointment Appointment, Provider Provider)>(async ct =>
        {
            var incidentId = await db.Appointments.Where(a => a.Id == id).Select(a => (Guid?)a.IncidentId).FirstOrDefaultAsync(ct);
            if (incidentId is null)
            {
                return CareWorkEndpoints.AppointmentNotFound;
            }

            var view = await access.FindAsync(incidentId.Value, CaseAccessMode.Write, ct);
            var appointment = await db.Appointments.FirstAsync(a => a.Id == id, ct);
            if (view is null || (view.Relation != CaseRelation.Admin && !(view.IsWorkingProvider && view.Provider!.Id == appointment.ProviderId)))
            {
                return CareWorkEndpoints.AppointmentNotFound;
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
                journal.SystemMessage(appointment.IncidentId, $"{CareWorkEndpoints.Describe(appointment.Kind)} moved: {appointment.Title}, now {CareWorkEndpoints.When(startsAt, provider.TimeZone)}.");
            }

            if (request.Status is { } status && status != appointment.Status)
            {
                appointment.Status = status;
                journal.SystemMessage(appointment.IncidentId, $"{CareWorkEndpoints.Describe(appointment.Kind)} {appointment.Title} is {SnakeEnum<AppointmentStatus>.Name(status)}.");
            }

            appointment.UpdatedAt = now;
            appointment.Version++;
            journal.Audit("kintaraa.appointment.updated", "appointment", appointment.Id, new { rescheduled, status = SnakeEnum<AppointmentStatus>.Name(appointment.Status) });
            journal.Publish("appointment.updated", new { incident_id = appointment.IncidentId, appointment_id = appointment.Id, starts_at = appointment.StartsAt, status = SnakeEnum<AppointmentStatus>.Name(appointment.Status) },
                new Recipients([.. (await referrals.ParticipantUsersAsync(view.Incident, ct)).Where(u => u != caller.UserId)], Case: appointment.IncidentId));
            return (appointment, provider);
        }, cancellationToken);
        return outcome.Error is { } error ? error : CareWorkEndpoints.ToView(outcome.Value.Appointment, outcome.Value.Provider);
    }

    public async Task<Outcome<List<NoteView>>> ListNotesAsync(Guid id, CancellationToken cancellationToken)
{
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound;
        }

        if (!view.IsParticipant)
        {
            return Chat.ChatEndpoints.NotParticipant;
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
        return notes.Select(n => new NoteView(n.Id, n.IncidentId, n.Kind, n.Body, n.SharedWithSurvivor, n.AuthorRole, n.AuthorProviderType,
            n.ProviderId is { } p && names.TryGetValue(p, out var name) ? name : "Coordinator", n.CreatedAt)).ToList();
    }

    public async Task<Outcome<(NoteView View, bool Created)>> CreateNoteAsync(Guid id, CreateNoteRequest request, CancellationToken cancellationToken)
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
            return error;
        }

        var (n, authorName) = outcome.Value;
        return (new NoteView(n.Id, n.IncidentId, n.Kind, n.Body, n.SharedWithSurvivor, n.AuthorRole, n.AuthorProviderType, authorName, n.CreatedAt), created);
    }
}
