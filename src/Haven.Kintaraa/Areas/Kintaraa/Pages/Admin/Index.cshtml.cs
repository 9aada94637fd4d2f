using Haven.Kintaraa.Dashboard;
using Haven.Kintaraa.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin;

/// <summary>The admin's start: the network's counts (cases, providers, the queue) with links to where each is worked.</summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class IndexModel(DashboardService dashboard) : PageModel
{
    public DashboardStats Stats { get; private set; } = null!;

    public NetworkStats Network => Stats.Network!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Stats = await dashboard.StatsAsync(null, null, cancellationToken);
}
