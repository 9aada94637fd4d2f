using Haven.Platform.Identity.Data;

namespace Haven.Platform.Identity.Accounts;

/// <summary>
/// Which users and roles an administrator manages. A platform admin: everything. A module admin role
/// (<see cref="HavenRoles.UserAdmins"/>) granted inside a tenant: users holding a role in that tenant, and roles of that
/// module in that tenant. Granted without a tenant: the whole module. Anything outside answers 404.
/// </summary>
internal sealed class AdminScope
{
    private AdminScope(bool isPlatformAdmin, IReadOnlyList<string> moduleRoles, IReadOnlyList<Guid> tenantIds, IReadOnlyList<(string Module, Guid? Tenant)> scopes)
    {
        IsPlatformAdmin = isPlatformAdmin;
        ModuleRoles = moduleRoles;
        TenantIds = tenantIds;
        Scopes = scopes;
    }

    public bool IsPlatformAdmin { get; }

    /// <summary>Every role of the modules administered module-wide.</summary>
    public IReadOnlyList<string> ModuleRoles { get; }

    public IReadOnlyList<Guid> TenantIds { get; }

    private IReadOnlyList<(string Module, Guid? Tenant)> Scopes { get; }

    public static AdminScope Of(ICurrentUser user)
    {
        var admin = user.Roles.Where(r => HavenRoles.UserAdmins.Contains(r.Role)).ToList();
        var scopes = admin.Where(r => r.Role != HavenRoles.Platform.Admin).Select(r => (r.Module, r.TenantId)).Distinct().ToList();
        var wholeModules = scopes.Where(s => s.TenantId is null).Select(s => s.Module).ToHashSet();
        return new AdminScope(
            admin.Any(r => r.Role == HavenRoles.Platform.Admin),
            [.. HavenRoles.All.Where(r => wholeModules.Contains(HavenRoles.ModuleOf(r)))],
            [.. scopes.Where(s => s.TenantId is not null).Select(s => s.TenantId!.Value)],
            scopes);
    }

    /// <summary>The grants an admin may see and change; users are visible through them.</summary>
    public IQueryable<UserRoleGrant> Filter(IQueryable<UserRoleGrant> grants)
    {
        if (IsPlatformAdmin)
        {
            return grants;
        }

        var roles = ModuleRoles.ToList();
        var tenants = TenantIds.ToList();
        return grants.Where(g => roles.Contains(g.Role) || (g.TenantId != null && tenants.Contains(g.TenantId.Value)));
    }

    public bool Covers(string role, Guid? tenantId)
    {
        if (IsPlatformAdmin)
        {
            return true;
        }

        if (role == HavenRoles.Platform.Admin)
        {
            return false;
        }

        var module = HavenRoles.ModuleOf(role);
        return Scopes.Any(s => s.Module == module && (s.Tenant is null || s.Tenant == tenantId));
    }

    public bool CoversTenant(Guid tenantId, string module) =>
        IsPlatformAdmin || Scopes.Any(s => s.Module == module && (s.Tenant is null || s.Tenant == tenantId));
}
