using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Endpoints;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Accounts;

/// <summary>Which users to list: paging, a tenant, a module's role holders, an email or name fragment.</summary>
public sealed record UserListQuery
{
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 20;

    public Guid? TenantId { get; init; }

    /// <summary>Only holders of a role of this module (e.g. "kintaraa").</summary>
    public string? Module { get; init; }

    public string? Search { get; init; }
}

/// <summary>
/// Tenant-scoped user administration for the signed-in admin (<see cref="AdminScope"/>): list, invite, deactivate,
/// reactivate, grant and remove roles, end sessions. Used by the admin API and the modules' admin portals; each change
/// and its audit entries commit together. A user or grant outside the caller's scope is reported as not found.
/// </summary>
public sealed class UserAdministration
{
    private readonly ICurrentUser current;
    private readonly PlatformDbContext db;
    private readonly AccountService accounts;
    private readonly SessionService sessions;
    private readonly IdentityAudit audit;
    private readonly TimeProvider clock;

    // Internal: its collaborators are identity's own; modules receive it from the container.
    internal UserAdministration(ICurrentUser current, PlatformDbContext db, AccountService accounts, SessionService sessions, IdentityAudit audit, TimeProvider clock)
    {
        this.current = current;
        this.db = db;
        this.accounts = accounts;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    public async Task<PageOf<AdminUserView>> ListAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, 100);
        var scope = AdminScope.Of(current);
        var grants = scope.Filter(db.RoleGrants.AsNoTracking());
        if (query.TenantId is not null)
        {
            grants = grants.Where(g => g.TenantId == query.TenantId);
        }

        if (query.Module is { } module)
        {
            var prefix = module + ".";
            grants = grants.Where(g => g.Role.StartsWith(prefix));
        }

        var users = db.Users.AsNoTracking().Where(u => grants.Any(g => g.UserId == u.Id));
        if (scope.IsPlatformAdmin && query.TenantId is null && query.Module is null)
        {
            users = db.Users.AsNoTracking();
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + query.Search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            users = users.Where(u => EF.Functions.ILike(u.Email!, pattern) || EF.Functions.ILike(u.DisplayName!, pattern));
        }

        var total = await users.CountAsync(cancellationToken);
        var rows = await users.OrderBy(u => u.Email).ThenBy(u => u.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var items = new List<AdminUserView>();
        foreach (var user in rows)
        {
            items.Add(await ViewAsync(user, cancellationToken));
        }

        return new PageOf<AdminUserView>(items, total, page, pageSize);
    }

    public async Task<AdminUserView?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await FindVisibleAsync(id, cancellationToken) is { } user ? await ViewAsync(user, cancellationToken) : null;

    public async Task<(AdminUserView? User, Error? Error)> InviteAsync(InviteUserRequest request, CancellationToken cancellationToken)
    {
        if (await CheckGrantAsync(request.Role, request.TenantId, request.ProviderType, cancellationToken) is { } invalid)
        {
            return (null, invalid);
        }

        // The account, its role, the invitation and their audit entries commit together, or nothing does.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (user, error) = await accounts.CreateUserAsync(request.Email, null, request.DisplayName, "password", cancellationToken);
        if (user is null)
        {
            return (null, error);
        }

        await accounts.AddGrantAsync(user.Id, request.Role, request.TenantId, request.ProviderType, current.UserId, cancellationToken);
        await accounts.SendInvitationAsync(user, request.Role, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await ViewAsync(user, cancellationToken), null);
    }

    /// <summary>Deactivating refuses sign-in and ends every session at once; repeating either changes and records nothing.</summary>
    public async Task<(AdminUserView? User, Error? Error)> SetActiveAsync(Guid id, bool active, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(id, cancellationToken);
        if (user is null)
        {
            return (null, Errors.NotFound("User"));
        }

        if (await CheckWholeAccountAsync(user, cancellationToken) is { } refused)
        {
            return (null, refused);
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await db.Users.Where(u => u.Id == id && u.IsActive != active)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, active).SetProperty(u => u.UpdatedAt, clock.GetUtcNow()), cancellationToken) == 1)
            {
                if (active)
                {
                    await audit.RecordAsync(IdentityAuditActions.UserReactivated, id, cancellationToken, new AuditChanges().Set("is_active", false, true));
                }
                else
                {
                    var ended = await sessions.RevokeAllAsync(id, RevocationReasons.Deactivated, null, cancellationToken);
                    await sessions.BumpAuthzVersionAsync(id, cancellationToken);
                    await audit.RecordAsync(IdentityAuditActions.UserDeactivated, id, cancellationToken,
                        new AuditChanges().Set("is_active", true, false).Set("sessions_ended", null, ended));
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        user.IsActive = active;
        return (await ViewAsync(user, cancellationToken), null);
    }

    public async Task<(GrantView? Grant, Error? Error)> GrantAsync(Guid id, GrantRoleRequest request, CancellationToken cancellationToken)
    {
        if (await FindVisibleAsync(id, cancellationToken) is null)
        {
            return (null, Errors.NotFound("User"));
        }

        if (await CheckGrantAsync(request.Role, request.TenantId, request.ProviderType, cancellationToken) is { } invalid)
        {
            return (null, invalid);
        }

        if (await db.RoleGrants.AnyAsync(g => g.UserId == id && g.Role == request.Role && g.TenantId == request.TenantId, cancellationToken))
        {
            return (null, IdentityErrors.GrantExists);
        }

        var grant = await accounts.AddGrantAsync(id, request.Role, request.TenantId, request.ProviderType, current.UserId, cancellationToken);
        return ((await AuthEndpoints.GrantViewsAsync(db, id, cancellationToken)).Single(g => g.Id == grant.Id), null);
    }

    public async Task<(int Ended, Error? Error)> RevokeSessionsAsync(Guid id, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(id, cancellationToken);
        if (user is null)
        {
            return (0, Errors.NotFound("User"));
        }

        // Sessions belong to the whole account, so this needs the same authority as deactivating it.
        if (await CheckWholeAccountAsync(user, cancellationToken) is { } refused)
        {
            return (0, refused);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await sessions.RevokeAllAsync(id, RevocationReasons.Admin, null, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.SessionsRevoked, id, cancellationToken,
            new AuditChanges().Set("reason", null, RevocationReasons.Admin).Set("sessions_ended", null, ended));
        await transaction.CommitAsync(cancellationToken);
        return (ended, null);
    }

    public async Task<Error?> RevokeGrantAsync(Guid id, Guid grantId, CancellationToken cancellationToken)
    {
        var grant = await AdminScope.Of(current).Filter(db.RoleGrants).FirstOrDefaultAsync(g => g.Id == grantId && g.UserId == id, cancellationToken);
        if (grant is null)
        {
            return Errors.NotFound("Role grant");
        }

        if (id == current.UserId && HavenRoles.UserAdmins.Contains(grant.Role))
        {
            return IdentityErrors.CannotChangeSelf;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.RoleGrants.Remove(grant);
        await db.SaveChangesAsync(cancellationToken);
        await sessions.BumpAuthzVersionAsync(id, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.RoleRevoked, id, cancellationToken, AccountService.GrantChanges(grant, added: false), tenantId: grant.TenantId);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>The tenants the caller administers (of one module, or all).</summary>
    public async Task<IReadOnlyList<TenantView>> TenantsAsync(string? module, CancellationToken cancellationToken)
    {
        var tenants = await db.Tenants.AsNoTracking().Where(t => module == null || t.Module == module)
            .OrderBy(t => t.Module).ThenBy(t => t.Name).ToListAsync(cancellationToken);
        var scope = AdminScope.Of(current);
        return [.. tenants.Where(t => scope.CoversTenant(t.Id, t.Module)).Select(t => new TenantView(t.Id, t.Module, t.Kind, t.Name, t.IsActive))];
    }

    /// <summary>Whether the caller may grant this role in this tenant (roles of other modules or tenants are refused).</summary>
    public bool MayGrant(string role, Guid? tenantId) => AdminScope.Of(current).Covers(role, tenantId);

    private async Task<HavenUser?> FindVisibleAsync(Guid id, CancellationToken cancellationToken)
    {
        var scope = AdminScope.Of(current);
        var grants = scope.Filter(db.RoleGrants.AsNoTracking());
        return await db.Users.AsNoTracking()
            .Where(u => u.Id == id && (scope.IsPlatformAdmin || grants.Any(g => g.UserId == u.Id)))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Deactivation affects the whole account: a tenant admin may do it only when every role of the user is theirs to manage.</summary>
    private async Task<Error?> CheckWholeAccountAsync(HavenUser user, CancellationToken cancellationToken)
    {
        if (user.Id == current.UserId)
        {
            return IdentityErrors.CannotChangeSelf;
        }

        var scope = AdminScope.Of(current);
        var grants = await db.RoleGrants.AsNoTracking().Where(g => g.UserId == user.Id).ToListAsync(cancellationToken);
        return grants.All(g => scope.Covers(g.Role, g.TenantId)) ? null : IdentityErrors.UserHasOtherGrants;
    }

    private async Task<Error?> CheckGrantAsync(string role, Guid? tenantId, string? providerType, CancellationToken cancellationToken)
    {
        var tenant = tenantId is null ? null : await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (RoleGrantRules.Check(role, tenant, tenantId, providerType) is { } problem)
        {
            return Errors.Validation(problem.Contains("provider type", StringComparison.Ordinal) ? "provider_type"
                : problem.Contains("tenant", StringComparison.Ordinal) ? "tenant_id" : "role", "Cannot grant this role: " + problem);
        }

        return AdminScope.Of(current).Covers(role, tenantId)
            ? null
            : Errors.Forbidden("role_outside_scope", "You can grant only roles of your own module and tenant.");
    }

    private async Task<AdminUserView> ViewAsync(HavenUser user, CancellationToken cancellationToken) =>
        new(user.Id, user.Email, user.DisplayName, user.IsAnonymous, user.IsActive,
            await db.MfaAuthenticators.AnyAsync(a => a.UserId == user.Id && a.EnabledAt != null, cancellationToken),
            user.LockoutEnd is { } end && end > clock.GetUtcNow(),
            user.CreatedAt, user.LastLoginAt,
            await AuthEndpoints.GrantViewsAsync(db, user.Id, cancellationToken));
}
