using Haven.Platform.Identity;
using Haven.Pss.Access;
using Haven.Pss.Dashboard;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Haven.Pss.Areas.Pss.Pages.Admin;

/// <summary>The cohort statistics with their charts, tables, check-in list and CSV downloads.</summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class StatsModel(StatsService stats, StatsCache cache, PssCaller caller, IUserDirectory directory) : PageModel
{
    public DashboardStats Stats { get; private set; } = null!;

    public IReadOnlyList<DirectoryTenant> Programmes { get; private set; } = [];

    public Guid? TenantId { get; private set; }

    public string ScopeDescription { get; private set; } = "";

    public string CacheMinutes => cache.TimeToLive.TotalMinutes >= 1 ? $"{cache.TimeToLive.TotalMinutes:0} minutes" : $"{cache.TimeToLive.TotalSeconds:0} seconds";

    public string ExportUrl(string report) => QueryHelpers.AddQueryString("/api/pss/dashboard/stats/export", new Dictionary<string, string?>
    {
        ["report"] = report,
        ["days"] = Stats.Days.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["tenant_id"] = TenantId?.ToString(),
    }.Where(p => p.Value is not null));

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "tenant_id")] Guid? tenantId, int? days, CancellationToken cancellationToken)
    {
        var snapshot = await stats.GetAsync(tenantId, days is >= 7 and <= StatsService.MaxDays ? days : null, cancellationToken);
        if (snapshot.Failed)
        {
            return NotFound();
        }

        TenantId = tenantId;
        Stats = snapshot.Value!.Stats;
        Programmes = await directory.TenantsAsync(PssModule.ModuleName, caller.StaffScope, cancellationToken);
        ScopeDescription = tenantId is not null ? Programmes.FirstOrDefault(p => p.Id == tenantId)?.Name ?? "One programme"
            : caller.IsSuperuser ? "All programmes" : Programmes.Count == 0 ? "No programme" : string.Join(", ", Programmes.Select(p => p.Name));
        return Page();
    }
}
