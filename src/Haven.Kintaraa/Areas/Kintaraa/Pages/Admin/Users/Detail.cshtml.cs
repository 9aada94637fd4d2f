using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Endpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Users;

/// <summary>One user: their roles (grant, remove), deactivation and reactivation, signing them out everywhere.</summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class DetailModel(UserAdministration users) : PageModel
{
    public AdminUserView Account { get; private set; } = null!;

    public IReadOnlyList<TenantView> Organisations { get; private set; } = [];

    public bool AllowNoOrganisation => users.MayGrant(HavenRoles.Kintaraa.Provider, null);

    public bool Manages(GrantView grant) => users.MayGrant(grant.Role, grant.TenantId);

    public string? Done { get; private set; }

    public string? Problem { get; private set; }

    [BindProperty]
    public GrantInput Grant { get; set; } = new();

    public sealed class GrantInput
    {
        public string Role { get; set; } = HavenRoles.Kintaraa.Provider;

        public string? ProviderType { get; set; }

        public Guid? TenantId { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken cancellationToken)
    {
        Done = done switch
        {
            "invited" => "The invitation is sent: the new user chooses a password from the link in the email.",
            "deactivated" => "The account is deactivated and every session has ended.",
            "reactivated" => "The account is active again.",
            "granted" => "The role is granted.",
            "revoked" => "The role is removed; the user's sessions lose it at once.",
            "signed_out" => "The user is signed out everywhere.",
            _ => null,
        };
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken cancellationToken) =>
        await AfterAsync(id, (await users.SetActiveAsync(id, false, cancellationToken)).Error, "deactivated", cancellationToken);

    public async Task<IActionResult> OnPostReactivateAsync(Guid id, CancellationToken cancellationToken) =>
        await AfterAsync(id, (await users.SetActiveAsync(id, true, cancellationToken)).Error, "reactivated", cancellationToken);

    public async Task<IActionResult> OnPostSignOutAsync(Guid id, CancellationToken cancellationToken) =>
        await AfterAsync(id, (await users.RevokeSessionsAsync(id, cancellationToken)).Error, "signed_out", cancellationToken);

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, Guid grantId, CancellationToken cancellationToken) =>
        await AfterAsync(id, await users.RevokeGrantAsync(id, grantId, cancellationToken), "revoked", cancellationToken);

    public async Task<IActionResult> OnPostGrantAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!KintaraaStaffRoles.Grantable.Any(r => r.Role == Grant.Role))
        {
            return await AfterAsync(id, Haven.Platform.Web.Errors.Validation("role", "Choose a role."), "granted", cancellationToken);
        }

        var providerType = Grant.Role == HavenRoles.Kintaraa.Provider ? Grant.ProviderType : null;
        var (_, error) = await users.GrantAsync(id, new GrantRoleRequest(Grant.Role, Grant.TenantId, providerType), cancellationToken);
        return await AfterAsync(id, error, "granted", cancellationToken);
    }

    private async Task<IActionResult> AfterAsync(Guid id, Haven.Platform.Web.Error? error, string done, CancellationToken cancellationToken)
    {
        if (error is null)
        {
            return Redirect($"/kintaraa/admin/users/{id}?done={done}");
        }

        if (error.Status == 404 || !await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Problem = KintaraaStaffRoles.Message(error);
        Response.StatusCode = error.Status;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await users.GetAsync(id, cancellationToken) is not { } account)
        {
            return false;
        }

        Account = account;
        Organisations = await users.TenantsAsync(KintaraaModule.ModuleName, cancellationToken);
        return true;
    }
}
