using System.Globalization;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Audit;

/// <summary>
/// The audit trail the admin may read (their tenant's, or all of Kintaraa's for a module-wide admin), searchable, and
/// for platform admins the chain verification, whose result names the first entry altered, removed or inserted.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class IndexModel(AuditReader reader) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true, Name = "resource_type")]
    public string? ResourceType { get; set; }

    [BindProperty(SupportsGet = true, Name = "resource_id")]
    public string? ResourceId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public AuditPage Result { get; private set; } = new([], 0, 1, PageSize);

    public AdminPager Pager { get; private set; } = null!;

    public string? Problem { get; private set; }

    public bool CanVerify => reader.Scope.MayVerify;

    public AuditVerification? Verification { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await SearchAsync(cancellationToken);

    public async Task<IActionResult> OnPostVerifyAsync(CancellationToken cancellationToken)
    {
        if (!CanVerify)
        {
            return Forbid();
        }

        Verification = await reader.VerifyAsync(null, null, [], cancellationToken);
        await SearchAsync(cancellationToken);
        return Page();
    }

    private async Task SearchAsync(CancellationToken cancellationToken)
    {
        var from = ParseDate(From, "From");
        var to = ParseDate(To, "To");
        var (page, error) = await reader.SearchAsync(new AuditSearch
        {
            Action = Blank(Action), ResourceType = Blank(ResourceType), ResourceId = Blank(ResourceId),
            From = from, To = to?.AddDays(1).AddTicks(-1), Page = Math.Max(1, PageNumber), PageSize = PageSize,
        }, cancellationToken);
        if (error is not null)
        {
            Problem ??= error.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? error.Title;
        }

        Result = page ?? Result;
        Pager = new AdminPager("/kintaraa/admin/audit", Result.Page, PageSize, Result.Total, new Dictionary<string, string?>
        {
            ["action"] = Action, ["resource_type"] = ResourceType, ["resource_id"] = ResourceId, ["from"] = From, ["to"] = To,
        });
    }

    private DateTimeOffset? ParseDate(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        Problem ??= $"{field}: enter a date as year-month-day, for example 2026-11-01.";
        return null;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
