using Haven.Kintaraa.Dashboard;
using Haven.Kintaraa.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin;

/// <summary>
/// Network statistics with charts: cases over time (<see cref="CaseTrends"/>), by type and status, and the time to
/// assignment and to first response per provider type (<see cref="DashboardService"/>). Each chart has its table.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class StatsModel(DashboardService dashboard, CaseTrends trends, TimeProvider clock) : PageModel
{
    public static readonly int[] Periods = [7, 30, 90, 365];

    public int Days { get; private set; }

    public DashboardStats Stats { get; private set; } = null!;

    public IReadOnlyList<CasePeriod> OverTime { get; private set; } = [];

    public string Unit { get; private set; } = "day";

    public string PeriodLabel(DateOnly start) => Unit == "day" ? AdminText.Date(start) : "Week of " + AdminText.Date(start);

    public async Task OnGetAsync(int? days, CancellationToken cancellationToken)
    {
        Days = days is { } d && Periods.Contains(d) ? d : 30;
        var to = clock.GetUtcNow();
        var from = to.AddDays(-Days);
        Stats = await dashboard.StatsAsync(from, to, cancellationToken);
        Unit = CaseTrends.UnitFor(from, to);
        OverTime = await trends.OverTimeAsync(from, to, cancellationToken);
    }
}
