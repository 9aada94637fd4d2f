using Haven.Platform.Identity;
using Haven.Platform.Web;
using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Pss.Dashboard;

internal static class DashboardEndpoints
{
    public const string ExportedAction = "pss.cohort_statistics.exported";

    public static void Map(RouteGroupBuilder pss)
    {
        var dashboard = pss.MapGroup("/dashboard").WithTags("PSS: dashboard").RequireAuthorization(HavenPolicies.Pss.Staff);
        dashboard.MapGet("/stats", StatsAsync).WithName("pss_dashboard_stats")
            .WithSummary("Cohort statistics and check-in flags for my programmes (or one, tenant_id) over the last days (7-365, default 30)");
        dashboard.MapGet("/stats/export", ExportAsync).WithName("pss_dashboard_export")
            .WithSummary("The cohort statistics as CSV: report=candidates (one line per candidate) or report=weekly");
    }

    private static async Task<Results<Ok<DashboardStats>, ProblemHttpResult>> StatsAsync(
        StatsService stats, CancellationToken cancellationToken, [FromQuery(Name = "tenant_id")] Guid? tenantId = null, int? days = null)
    {
        var snapshot = await stats.GetAsync(tenantId, days, cancellationToken);
        return snapshot.Failed ? snapshot.Error!.ToProblem() : TypedResults.Ok(snapshot.Value!.Stats);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        StatsService stats, PssAudit audit, CancellationToken cancellationToken, string report = StatsCsv.Candidates,
        [FromQuery(Name = "tenant_id")] Guid? tenantId = null, int? days = null)
    {
        if (report is not (StatsCsv.Candidates or StatsCsv.Weekly))
        {
            return Errors.Validation("report", "Use candidates or weekly.").ToProblem();
        }

        var snapshot = await stats.GetAsync(tenantId, days, cancellationToken);
        if (snapshot.Failed)
        {
            return snapshot.Error!.ToProblem();
        }

        // The candidates report names people: who took a copy is on the record.
        await audit.ReadAsync(new PssAuditEvent(ExportedAction, "cohort_statistics", tenantId?.ToString("D"), tenantId, $"report {report}"), cancellationToken);
        var stamp = snapshot.Value!.Stats.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.File(StatsCsv.Write(snapshot.Value, report), "text/csv; charset=utf-8", $"pss-{report}-{stamp}.csv");
    }
}
