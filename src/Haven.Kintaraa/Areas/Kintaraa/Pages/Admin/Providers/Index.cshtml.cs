using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Providers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Providers;

/// <summary>Every provider profile, searchable by organisation or name and filtered by type, verification and availability.</summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class IndexModel(ProviderService providers) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool? Verified { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool? Available { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public PageOf<ProviderProfile> Result { get; private set; } = null!;

    public AdminPager Pager { get; private set; } = null!;

    public string Summary { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (!SnakeEnum<ProviderType>.TryParse(Type, out _))
        {
            Type = null;
        }

        var outcome = await providers.ListAsync(new ProviderFilter
        {
            Q = Q, Type = Type, Verified = Verified, Available = Available, Page = Math.Max(1, PageNumber), PageSize = PageSize,
        }, cancellationToken);
        Result = outcome.Value ?? new PageOf<ProviderProfile>([], 0, 1, PageSize);
        Pager = new AdminPager("/kintaraa/admin/providers", Result.Page, PageSize, Result.Total, new Dictionary<string, string?>
        {
            ["q"] = Q, ["type"] = Type, ["verified"] = Verified?.ToString().ToLowerInvariant(), ["available"] = Available?.ToString().ToLowerInvariant(),
        });
        Summary = Result.Total switch
        {
            0 => "No provider matches.",
            1 => "1 provider.",
            var n => $"{n} providers.",
        };
    }
}
