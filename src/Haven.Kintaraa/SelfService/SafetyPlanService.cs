using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.SelfService;

/// <summary>
/// Saving the survivor's safety plan, for the API and the offline sync batch alike. The plan carries a version: a save
/// made from an older version than the server's is refused with the server's copy (the server wins; the app shows it
/// and the survivor applies their change again). The save and its <c>safety_plan.updated</c> event commit together.
/// </summary>
public sealed class SafetyPlanService(KintaraaDbContext db, KintaraaCaller caller, CaseJournal journal, TimeProvider clock)
{
    public const string UpdatedEvent = "safety_plan.updated";

    /// <summary>409 <c>version_conflict</c> with the server's <c>current_version</c> and its whole <c>current</c> copy.</summary>
    public static Error Conflict(SafetyPlanView current) => IncidentService.VersionConflict(current.Version) with
    {
        Title = "The safety plan was changed on another device.",
        Detail = "The server's copy is in 'current'; apply your change to it and save again.",
        Extensions = new Dictionary<string, object?> { ["current_version"] = current.Version, ["current"] = current },
    };

    public async Task<SafetyPlanView> CurrentAsync(CancellationToken cancellationToken) =>
        SelfServiceEndpoints.ToView(await db.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == caller.UserId, cancellationToken));

    /// <summary>Saves in the caller's transaction when there is one (which then commits or rolls back everything), else in its own.</summary>
    public async Task<Outcome<SafetyPlanView>> SaveAsync(SafetyPlanRequest request, CancellationToken cancellationToken)
    {
        var lists = new[] { request.WarningSigns, request.SafePlaces, request.CopingStrategies, request.PeopleToContact, request.ItemsToPack };
        if (lists.Any(l => l?.Any(item => item is null || item.Length > 500) == true))
        {
            return Errors.Validation("items", "Each entry is at most 500 characters.");
        }

        if (request.Version is not { } version)
        {
            return Errors.Validation("version", "Send the version you edited (0 for the first save).");
        }

        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var me = caller.UserId;
            // One save per survivor at a time: two devices saving the first version at once would otherwise race on the insert.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended('kintaraa.safety_plan:' || {me.ToString("D")}, 0))", cancellationToken);
            var plan = await db.SafetyPlans.FirstOrDefaultAsync(p => p.UserId == me, cancellationToken);
            if ((plan?.Version ?? 0) != version)
            {
                return Conflict(SelfServiceEndpoints.ToView(plan));
            }

            var content = new SafetyPlanContent(Clean(request.WarningSigns), Clean(request.SafePlaces), Clean(request.CopingStrategies),
                Clean(request.PeopleToContact), Clean(request.ItemsToPack), Blank(request.EscapePlan), Blank(request.CodeWord));
            if (plan is null)
            {
                plan = new SafetyPlan { UserId = me, Version = 0 };
                db.SafetyPlans.Add(plan);
            }

            plan.Content = content;
            plan.UpdatedAt = clock.GetUtcNow();
            plan.Version++;
            await db.SaveChangesAsync(cancellationToken);
            journal.Audit("kintaraa.safety_plan.saved", "safety_plan", me);
            // The survivor's other devices refresh; the event names the version only, never the plan.
            journal.Publish(UpdatedEvent, new { version = plan.Version }, Recipients.To(me));
            await journal.FlushAsync(cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }

            return SelfServiceEndpoints.ToView(plan);
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    private static List<string> Clean(List<string>? values) => [.. (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim())];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
