using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Endpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Users;

/// <summary>
/// The Kintaraa users the admin manages (their organisation's, or all of Kintaraa's for a module-wide admin), and
/// inviting a new one, through the platform's <see cref="UserAdministration"/>.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class IndexModel(UserAdministration users) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public PageOf<AdminUserView> Result { get; private set; } = null!;

    public AdminPager Pager { get; private set; } = null!;

    public IReadOnlyList<TenantView> Organisations { get; private set; } = [];

    public bool AllowNoOrganisation => users.MayGrant(HavenRoles.Kintaraa.Provider, null);

    public string? Done { get; private set; }

    public string? Problem { get; private set; }

    [BindProperty]
    public InviteInput Invite { get; set; } = new();

    public sealed class InviteInput
    {
        public string Email { get; set; } = "";

        public string? DisplayName { get; set; }

        public string Role { get; set; } = HavenRoles.Kintaraa.Provider;

        public string? ProviderType { get; set; }

        public Guid? TenantId { get; set; }
    }

    public async Task OnGetAsync(string? done, CancellationToken cancellationToken)
    {
        Done = done == "invited" ? "The invitation is sent: the new user chooses a password from the link in the email." : null;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        var email = (Invite.Email ?? "").Trim();
        if (email.Length is 0 or > 256 || !email.Contains('@', StringComparison.Ordinal))
        {
            return await RefusedAsync("Enter the new user's email address.", 400, cancellationToken);
        }

        var providerType = Invite.Role == HavenRoles.Kintaraa.Provider ? Invite.ProviderType : null;
        var name = string.IsNullOrWhiteSpace(Invite.DisplayName) ? null : Invite.DisplayName.Trim();
        if (!KintaraaStaffRoles.Grantable.Any(r => r.Role == Invite.Role) || name is { Length: > 200 })
        {
            return await RefusedAsync("Choose a role; the name is at most 200 characters.", 400, cancellationToken);
        }

        var (user, error) = await users.InviteAsync(new InviteUserRequest(email, name, Invite.Role, Invite.TenantId, providerType), cancellationToken);
        if (error is not null)
        {
            return await RefusedAsync(KintaraaStaffRoles.Message(error), error.Status, cancellationToken);
        }

        return Redirect($"/kintaraa/admin/users/{user!.Id}?done=invited");
    }

    private async Task<IActionResult> RefusedAsync(string problem, int status, CancellationToken cancellationToken)
    {
        Problem = problem;
        Response.StatusCode = status;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Organisations = await users.TenantsAsync(KintaraaModule.ModuleName, cancellationToken);
        Result = await users.ListAsync(new UserListQuery { Module = KintaraaModule.ModuleName, Search = Q, Page = Math.Max(1, PageNumber), PageSize = PageSize }, cancellationToken);
        Pager = new AdminPager("/kintaraa/admin/users", Result.Page, PageSize, Result.Total, new Dictionary<string, string?> { ["q"] = Q });
    }
}
