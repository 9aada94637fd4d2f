using Haven.Platform.Identity;
using Haven.Pss.Access;
using Haven.Pss.Portal;
using Haven.Pss.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin;

/// <summary>Staff find candidates by name, email or exact ID number; the results update as they type (htmx) or on submit.</summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class IndexModel(CandidateService candidates, PssCaller caller, IUserDirectory directory) : PageModel
{
    public const int PageSize = 25;

    public CandidatePage Candidates { get; private set; } = null!;

    public IReadOnlyList<DirectoryTenant> Programmes { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    public string? Query { get; private set; }

    public Guid? TenantId { get; private set; }

    public string Summary { get; private set; } = "";

    public string ScopeDescription { get; private set; } = "";

    public bool NoProgramme => caller.StaffScope is { Count: 0 };

    public string ProgrammeName(Guid? id) => Programmes.FirstOrDefault(p => p.Id == id)?.Name ?? "None";

    public async Task OnGetAsync(string? q, [FromQuery(Name = "tenant_id")] Guid? tenantId, int page = 1, CancellationToken cancellationToken = default)
    {
        (Query, TenantId) = (q, tenantId);
        Programmes = await directory.TenantsAsync(PssModule.ModuleName, caller.StaffScope, cancellationToken);
        ScopeDescription = caller.IsSuperuser ? "All programmes." : Programmes.Count == 0 ? "" : string.Join(", ", Programmes.Select(p => p.Name)) + ".";
        Candidates = await candidates.ListAsync(q, tenantId, page, PageSize, cancellationToken);
        Pager = new Pager("/pss/admin", Candidates.Page, Candidates.PageSize, Candidates.Total, new() { ["q"] = q, ["tenant_id"] = tenantId?.ToString() });
        Summary = (Candidates.Total, string.IsNullOrWhiteSpace(q)) switch
        {
            (0, false) => $"No candidate matches “{q}”.",
            (0, true) => "No candidates yet.",
            (1, _) => "1 candidate.",
            (var n, _) => $"{n} candidates.",
        };
    }
}
