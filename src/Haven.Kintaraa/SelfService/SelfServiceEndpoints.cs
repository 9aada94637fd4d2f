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

namespace Haven.Kintaraa.SelfService;

public sealed record SafetyPlanRequest(
    [property: Required] int? Version,
    [property: MaxLength(30)] List<string>? WarningSigns,
    [property: MaxLength(30)] List<string>? SafePlaces,
    [property: MaxLength(30)] List<string>? CopingStrategies,
    [property: MaxLength(30)] List<string>? PeopleToContact,
    [property: MaxLength(50)] List<string>? ItemsToPack,
    [property: StringLength(5000)] string? EscapePlan,
    [property: StringLength(100)] string? CodeWord);

public sealed record SafetyPlanView(
    IReadOnlyList<string> WarningSigns,
    IReadOnlyList<string> SafePlaces,
    IReadOnlyList<string> CopingStrategies,
    IReadOnlyList<string> PeopleToContact,
    IReadOnlyList<string> ItemsToPack,
    string? EscapePlan,
    string? CodeWord,
    DateTimeOffset? UpdatedAt,
    int Version);

public sealed record EmergencyContactRequest(
    int? Version,
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    [property: Required, RegularExpression(@"^\+?[0-9][0-9 ()\-]{5,24}$", ErrorMessage = "Use a phone number such as +254 712 345678.")] string Phone,
    [property: StringLength(50)] string? Relationship,
    bool NotifyOnSos = false);

public sealed record EmergencyContactView(Guid Id, string Name, string Phone, string? Relationship, bool NotifyOnSos, DateTimeOffset UpdatedAt, int Version);

internal static class SelfServiceEndpoints
{
    public const int MaxContacts = 10;

    public static readonly Error ContactNotFound = Errors.NotFound("Emergency contact");

    public static void Map(RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Kintaraa self-service");
        me.MapGet("/safety-plan", GetPlanAsync).WithName("kintaraa_safety_plan")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Your safety plan (empty, version 0, until you save one)");
        me.MapPut("/safety-plan", SavePlanAsync).WithName("kintaraa_safety_plan_save")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Save your safety plan; send the version you edited (0 for the first save)");
        me.MapGet("/emergency-contacts", ListContactsAsync).WithName("kintaraa_contacts_list")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Your emergency contacts");
        me.MapPost("/emergency-contacts", AddContactAsync).WithName("kintaraa_contacts_add")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Add an emergency contact (at most 10)");
        me.MapPut("/emergency-contacts/{id:guid}", UpdateContactAsync).WithName("kintaraa_contacts_update")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Change an emergency contact");
        me.MapDelete("/emergency-contacts/{id:guid}", DeleteContactAsync).WithName("kintaraa_contacts_delete")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Remove an emergency contact");
        me.MapGet("/export", ExportAsync).WithName("kintaraa_export")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Everything Kintaraa holds about you, as one JSON document: your cases with their messages, shared notes, " +
                         "appointments, referrals and evidence list, your safety plan and emergency contacts");
        me.MapDelete("", DeleteAccountAsync).WithName("kintaraa_account_delete")
            .RequireAuthorization(KintaraaPolicies.Survivor)
            .WithSummary("Delete your Kintaraa data and account. Cases under a legal hold are kept, without your identity, and the answer says why");
    }

    private static async Task<Ok<SafetyPlanView>> GetPlanAsync(KintaraaDbContext db, KintaraaCaller caller, CancellationToken cancellationToken)
    {
        var plan = await db.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == caller.UserId, cancellationToken);
        return TypedResults.Ok(ToView(plan));
    }

    private static async Task<Results<Ok<SafetyPlanView>, ProblemHttpResult>> SavePlanAsync(
        SafetyPlanRequest request, SafetyPlanService plans, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await plans.SaveAsync(request, cancellationToken));

    private static async Task<Ok<List<EmergencyContactView>>> ListContactsAsync(KintaraaDbContext db, KintaraaCaller caller, CancellationToken cancellationToken)
    {
        var contacts = await db.EmergencyContacts.AsNoTracking().Where(c => c.UserId == caller.UserId).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(contacts.Select(ToView).ToList());
    }

    private static async Task<Results<Created<EmergencyContactView>, ProblemHttpResult>> AddContactAsync(
        EmergencyContactRequest request, KintaraaDbContext db, KintaraaCaller caller, CaseJournal journal, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await db.EmergencyContacts.CountAsync(c => c.UserId == caller.UserId, cancellationToken) >= MaxContacts)
        {
            return Errors.Conflict("too_many_contacts", $"You can keep at most {MaxContacts} emergency contacts.").ToProblem();
        }

        var now = clock.GetUtcNow();
        var contact = new EmergencyContact
        {
            Id = Guid.CreateVersion7(now),
            UserId = caller.UserId,
            Name = request.Name.Trim(),
            Phone = request.Phone.Trim(),
            Relationship = Blank(request.Relationship),
            NotifyOnSos = request.NotifyOnSos,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.EmergencyContacts.Add(contact);
        journal.Audit("kintaraa.emergency_contact.added", "emergency_contact", contact.Id);
        await db.SaveChangesAsync(cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return TypedResults.Created($"/api/kintaraa/me/emergency-contacts/{contact.Id}", ToView(contact));
    }

    private static async Task<Results<Ok<EmergencyContactView>, ProblemHttpResult>> UpdateContactAsync(
        Guid id, EmergencyContactRequest request, KintaraaDbContext db, KintaraaCaller caller, CaseJournal journal, TimeProvider clock, CancellationToken cancellationToken)
    {
        var contact = await db.EmergencyContacts.FirstOrDefaultAsync(c => c.Id == id && c.UserId == caller.UserId, cancellationToken);
        if (contact is null)
        {
            return ContactNotFound.ToProblem();
        }

        if (request.Version is null)
        {
            return Errors.Validation("version", "Send the version you edited.").ToProblem();
        }

        if (request.Version != contact.Version)
        {
            return IncidentConflict(contact.Version).ToProblem();
        }

        contact.Name = request.Name.Trim();
        contact.Phone = request.Phone.Trim();
        contact.Relationship = Blank(request.Relationship);
        contact.NotifyOnSos = request.NotifyOnSos;
        contact.UpdatedAt = clock.GetUtcNow();
        contact.Version++;
        journal.Audit("kintaraa.emergency_contact.changed", "emergency_contact", contact.Id);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return IncidentConflict(contact.Version).ToProblem();
        }

        await journal.FlushAsync(cancellationToken);
        return TypedResults.Ok(ToView(contact));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteContactAsync(
        Guid id, KintaraaDbContext db, KintaraaCaller caller, CaseJournal journal, CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        var deleted = await db.EmergencyContacts.Where(c => c.Id == id && c.UserId == me).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return ContactNotFound.ToProblem();
        }

        journal.Audit("kintaraa.emergency_contact.removed", "emergency_contact", id);
        await journal.FlushAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ExportAsync(SurvivorData data, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var export = await data.ExportAsync(cancellationToken);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"kintaraa-export-{clock.GetUtcNow():yyyyMMdd}.json\"";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(export);
    }

    private static async Task<Ok<DeletionResult>> DeleteAccountAsync(SurvivorData data, CancellationToken cancellationToken) =>
        TypedResults.Ok(await data.DeleteAsync(cancellationToken));

    private static Error IncidentConflict(int current) => Cases.IncidentService.VersionConflict(current);

    internal static SafetyPlanView ToView(SafetyPlan? plan) => plan is null
        ? new SafetyPlanView([], [], [], [], [], null, null, null, 0)
        : new SafetyPlanView(plan.Content.WarningSigns, plan.Content.SafePlaces, plan.Content.CopingStrategies, plan.Content.PeopleToContact,
            plan.Content.ItemsToPack, plan.Content.EscapePlan, plan.Content.CodeWord, plan.UpdatedAt, plan.Version);

    internal static EmergencyContactView ToView(EmergencyContact c) => new(c.Id, c.Name, c.Phone, c.Relationship, c.NotifyOnSos, c.UpdatedAt, c.Version);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
