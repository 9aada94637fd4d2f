using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

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

    private static async Task<Results<Ok<List<AppointmentView>>, ProblemHttpResult>> ListAppointmentsAsync(
        Guid id, CareWorkService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.ListAppointmentsAsync(id, cancellationToken));

    private static async Task<Results<Created<AppointmentView>, Ok<AppointmentView>, ProblemHttpResult>> CreateAppointmentAsync(
        Guid id, CreateAppointmentRequest request, CareWorkService service, CancellationToken cancellationToken)
    {
        var outcome = await service.CreateAppointmentAsync(id, request, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error.ToProblem();
        }

        var (view, created) = outcome.Value;
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{id}/appointments", view) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<AppointmentView>, ProblemHttpResult>> UpdateAppointmentAsync(
        Guid id, UpdateAppointmentRequest request, CareWorkService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.UpdateAppointmentAsync(id, request, cancellationToken));

    private static async Task<Results<Ok<List<NoteView>>, ProblemHttpResult>> ListNotesAsync(
        Guid id, CareWorkService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.ListNotesAsync(id, cancellationToken));

    private static async Task<Results<Created<NoteView>, Ok<NoteView>, ProblemHttpResult>> CreateNoteAsync(
        Guid id, CreateNoteRequest request, CareWorkService service, CancellationToken cancellationToken)
    {
        var outcome = await service.CreateNoteAsync(id, request, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error.ToProblem();
        }

        var (view, created) = outcome.Value;
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{id}/notes", view) : TypedResults.Ok(view);
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
