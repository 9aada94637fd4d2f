using System.ComponentModel.DataAnnotations;
using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Tenancy;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Endpoints;

public sealed record InviteUserRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: StringLength(200)] string? DisplayName,
    [property: Required, StringLength(64)] string Role,
    Guid? TenantId,
    [property: StringLength(32)] string? ProviderType);

public sealed record GrantRoleRequest(
    [property: Required, StringLength(64)] string Role,
    Guid? TenantId,
    [property: StringLength(32)] string? ProviderType);

public sealed record CreateTenantRequest(
    [property: Required, StringLength(32)] string Module,
    [property: Required, StringLength(32)] string Kind,
    [property: Required, StringLength(200, MinimumLength = 2)] string Name);

public sealed record AdminUserView(
    Guid Id, string? Email, string? DisplayName, bool IsAnonymous, bool IsActive, bool MfaEnabled, bool LockedOut,
    DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt, IReadOnlyList<GrantView> Roles);

public sealed record TenantView(Guid Id, string Module, string Kind, string Name, bool IsActive);

public sealed record SessionsEndedView(int SessionsEnded);

/// <summary>
/// Tenant-scoped user administration (<see cref="AdminScope"/>): list, invite, deactivate, reactivate, grant and remove
/// roles, see sign-ins. A user or grant outside the caller's scope answers 404, exactly like one that does not exist.
/// </summary>
internal static class AdminUserEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/api/admin").WithTags("Admin: users").RequireAuthorization(HavenPolicies.UserAdmin);
        admin.MapGet("/users", ListAsync).WithName("admin_users").WithSummary("Users holding a role in my tenants (platform admin: all users)");
        admin.MapGet("/users/{id:guid}", GetAsync).WithName("admin_user").WithSummary("One user I administer");
        admin.MapPost("/users", InviteAsync).WithName("admin_user_invite")
            .WithSummary("Invite a user with a role in my tenant: creates the account and emails a link to choose a password");
        admin.MapPost("/users/{id:guid}/deactivate", DeactivateAsync).WithName("admin_user_deactivate")
            .WithSummary("Deactivate a user: sign-in refused and every session ended at once");
        admin.MapPost("/users/{id:guid}/reactivate", ReactivateAsync).WithName("admin_user_reactivate").WithSummary("Reactivate a user");
        admin.MapPost("/users/{id:guid}/sessions/revoke", RevokeSessionsAsync).WithName("admin_user_revoke_sessions")
            .WithSummary("Sign a user out everywhere (a lost or stolen device): every session ends at once, the account stays active");
        admin.MapPost("/users/{id:guid}/roles", GrantAsync).WithName("admin_user_grant").WithSummary("Grant a role (in my tenant) to a user I administer");
        admin.MapDelete("/users/{id:guid}/roles/{grantId:guid}", RevokeGrantAsync).WithName("admin_user_revoke_grant")
            .WithSummary("Remove a role grant; the user's tokens carrying it stop working at once");
        admin.MapGet("/logins", ListLoginsAsync).WithName("admin_logins").WithSummary("Sign-ins and failed attempts of the users I administer");
        admin.MapGet("/tenants", ListTenantsAsync).WithName("admin_tenants").WithSummary("The tenants I administer");
        endpoints.MapPost("/api/admin/tenants", CreateTenantAsync).WithTags("Admin: users").WithName("admin_tenant_create")
            .RequireAuthorization(HavenPolicies.Platform.Admin)
            .WithSummary("Create a tenant (police station, provider company, NGO, clinic, training programme)");
    }

    private static async Task<Ok<PageOf<AdminUserView>>> ListAsync(
        ICurrentUser current, PlatformDbContext db, TimeProvider clock, CancellationToken cancellationToken,
        int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20, [FromQuery(Name = "tenant_id")] Guid? tenantId = null)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var grants = AdminScope.Of(current).Filter(db.RoleGrants.AsNoTracking());
        if (tenantId is not null)
        {
            grants = grants.Where(g => g.TenantId == tenantId);
        }

        var users = db.Users.AsNoTracking().Where(u => grants.Any(g => g.UserId == u.Id));
        if (AdminScope.Of(current).IsPlatformAdmin && tenantId is null)
        {
            users = db.Users.AsNoTracking();
        }

        var total = await users.CountAsync(cancellationToken);
        var rows = await users.OrderBy(u => u.Email).ThenBy(u => u.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var items = new List<AdminUserView>();
        foreach (var user in rows)
        {
            items.Add(await ViewAsync(db, user, clock, cancellationToken));
        }

        return TypedResults.Ok(new PageOf<AdminUserView>(items, total, page, pageSize));
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> GetAsync(
        Guid id, ICurrentUser current, PlatformDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(db, current, id, cancellationToken);
        return user is null ? Errors.NotFound("User").ToProblem() : TypedResults.Ok(await ViewAsync(db, user, clock, cancellationToken));
    }

    private static async Task<Results<Created<AdminUserView>, ProblemHttpResult>> InviteAsync(
        InviteUserRequest request, ICurrentUser current, PlatformDbContext db, AccountService accounts, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (await CheckGrantAsync(db, current, request.Role, request.TenantId, request.ProviderType, cancellationToken) is { } invalid)
        {
            return invalid.ToProblem();
        }

        // The account, its role, the invitation and their audit entries commit together, or nothing does.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (user, error) = await accounts.CreateUserAsync(request.Email, null, request.DisplayName, "password", cancellationToken);
        if (user is null)
        {
            return error!.ToProblem();
        }

        await accounts.AddGrantAsync(user.Id, request.Role, request.TenantId, request.ProviderType, current.UserId, cancellationToken);
        await accounts.SendInvitationAsync(user, request.Role, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/admin/users/{user.Id}", await ViewAsync(db, user, clock, cancellationToken));
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> DeactivateAsync(
        Guid id, ICurrentUser current, PlatformDbContext db, SessionService sessions, IdentityAudit audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(db, current, id, cancellationToken);
        if (user is null)
        {
            return Errors.NotFound("User").ToProblem();
        }

        if (await CheckWholeAccountAsync(db, current, user, cancellationToken) is { } refused)
        {
            return refused.ToProblem();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Repeating it changes nothing and records nothing.
            if (await db.Users.Where(u => u.Id == id && u.IsActive)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false).SetProperty(u => u.UpdatedAt, clock.GetUtcNow()), cancellationToken) == 1)
            {
                var ended = await sessions.RevokeAllAsync(id, RevocationReasons.Deactivated, null, cancellationToken);
                await sessions.BumpAuthzVersionAsync(id, cancellationToken);
                await audit.RecordAsync(IdentityAuditActions.UserDeactivated, id, cancellationToken,
                    new AuditChanges().Set("is_active", true, false).Set("sessions_ended", null, ended));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        user.IsActive = false;
        return TypedResults.Ok(await ViewAsync(db, user, clock, cancellationToken));
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> ReactivateAsync(
        Guid id, ICurrentUser current, PlatformDbContext db, IdentityAudit audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(db, current, id, cancellationToken);
        if (user is null)
        {
            return Errors.NotFound("User").ToProblem();
        }

        if (await CheckWholeAccountAsync(db, current, user, cancellationToken) is { } refused)
        {
            return refused.ToProblem();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await db.Users.Where(u => u.Id == id && !u.IsActive)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, true).SetProperty(u => u.UpdatedAt, clock.GetUtcNow()), cancellationToken) == 1)
            {
                await audit.RecordAsync(IdentityAuditActions.UserReactivated, id, cancellationToken, new AuditChanges().Set("is_active", false, true));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        user.IsActive = true;
        return TypedResults.Ok(await ViewAsync(db, user, clock, cancellationToken));
    }

    private static async Task<Results<Created<GrantView>, ProblemHttpResult>> GrantAsync(
        Guid id, GrantRoleRequest request, ICurrentUser current, PlatformDbContext db, AccountService accounts, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(db, current, id, cancellationToken);
        if (user is null)
        {
            return Errors.NotFound("User").ToProblem();
        }

        if (await CheckGrantAsync(db, current, request.Role, request.TenantId, request.ProviderType, cancellationToken) is { } invalid)
        {
            return invalid.ToProblem();
        }

        if (await db.RoleGrants.AnyAsync(g => g.UserId == id && g.Role == request.Role && g.TenantId == request.TenantId, cancellationToken))
        {
            return IdentityErrors.GrantExists.ToProblem();
        }

        var grant = await accounts.AddGrantAsync(id, request.Role, request.TenantId, request.ProviderType, current.UserId, cancellationToken);
        var view = (await AuthEndpoints.GrantViewsAsync(db, id, cancellationToken)).Single(g => g.Id == grant.Id);
        return TypedResults.Created($"/api/admin/users/{id}/roles/{grant.Id}", view);
    }

    private static async Task<Results<Ok<SessionsEndedView>, ProblemHttpResult>> RevokeSessionsAsync(
        Guid id, ICurrentUser current, PlatformDbContext db, SessionService sessions, IdentityAudit audit, CancellationToken cancellationToken)
    {
        var user = await FindVisibleAsync(db, current, id, cancellationToken);
        if (user is null)
        {
            return Errors.NotFound("User").ToProblem();
        }

        // Sessions belong to the whole account, so this needs the same authority as deactivating it.
        if (await CheckWholeAccountAsync(db, current, user, cancellationToken) is { } refused)
        {
            return refused.ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await sessions.RevokeAllAsync(id, RevocationReasons.Admin, null, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.SessionsRevoked, id, cancellationToken,
            new AuditChanges().Set("reason", null, RevocationReasons.Admin).Set("sessions_ended", null, ended));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new SessionsEndedView(ended));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeGrantAsync(
        Guid id, Guid grantId, ICurrentUser current, PlatformDbContext db, SessionService sessions, IdentityAudit audit, CancellationToken cancellationToken)
    {
        var scope = AdminScope.Of(current);
        var grant = await scope.Filter(db.RoleGrants).FirstOrDefaultAsync(g => g.Id == grantId && g.UserId == id, cancellationToken);
        if (grant is null)
        {
            return Errors.NotFound("Role grant").ToProblem();
        }

        if (id == current.UserId && HavenRoles.UserAdmins.Contains(grant.Role))
        {
            return IdentityErrors.CannotChangeSelf.ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.RoleGrants.Remove(grant);
        await db.SaveChangesAsync(cancellationToken);
        await sessions.BumpAuthzVersionAsync(id, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.RoleRevoked, id, cancellationToken, AccountService.GrantChanges(grant, added: false), tenantId: grant.TenantId);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageOf<LoginEventView>>> ListLoginsAsync(
        ICurrentUser current, PlatformDbContext db, CancellationToken cancellationToken,
        int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20, [FromQuery(Name = "user_id")] Guid? userId = null)
    {
        var scope = AdminScope.Of(current);
        var grants = scope.Filter(db.RoleGrants.AsNoTracking());
        var events = db.LoginEvents.AsNoTracking().Where(e => e.UserId != null);
        if (!scope.IsPlatformAdmin)
        {
            events = events.Where(e => grants.Any(g => g.UserId == e.UserId));
        }

        if (userId is not null)
        {
            events = events.Where(e => e.UserId == userId);
        }

        return TypedResults.Ok(await AccountEndpoints.LoginEventPageAsync(events, page, pageSize, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<TenantView>>> ListTenantsAsync(ICurrentUser current, PlatformDbContext db, CancellationToken cancellationToken)
    {
        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Module).ThenBy(t => t.Name).ToListAsync(cancellationToken);
        var scope = AdminScope.Of(current);
        IReadOnlyList<TenantView> visible = [.. tenants.Where(t => scope.CoversTenant(t.Id, t.Module))
            .Select(t => new TenantView(t.Id, t.Module, t.Kind, t.Name, t.IsActive))];
        return TypedResults.Ok(visible);
    }

    private static async Task<Results<Created<TenantView>, ProblemHttpResult>> CreateTenantAsync(
        CreateTenantRequest request, PlatformDbContext db, IUserProvisioning provisioning, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(!HavenRoles.All.Any(r => HavenRoles.ModuleOf(r) == request.Module) || request.Module == "platform", "module", "Unknown module.")
            .When(!TenantKinds.All.Contains(request.Kind) || request.Kind == TenantKinds.Platform, "kind", $"One of {string.Join(", ", TenantKinds.All.Where(k => k != TenantKinds.Platform))}.");
        if (errors.AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        if (await db.Tenants.AnyAsync(t => t.Module == request.Module && t.Name == request.Name, cancellationToken))
        {
            return Errors.Conflict("tenant_exists", "A tenant with this name exists in the module.").ToProblem();
        }

        var tenant = await provisioning.EnsureTenantAsync(request.Module, request.Kind, request.Name, cancellationToken);
        return TypedResults.Created($"/api/admin/tenants/{tenant.Id}", new TenantView(tenant.Id, tenant.Module, tenant.Kind, tenant.Name, tenant.IsActive));
    }

    private static async Task<HavenUser?> FindVisibleAsync(PlatformDbContext db, ICurrentUser current, Guid id, CancellationToken cancellationToken)
    {
        var scope = AdminScope.Of(current);
        var grants = scope.Filter(db.RoleGrants.AsNoTracking());
        return await db.Users.AsNoTracking()
            .Where(u => u.Id == id && (scope.IsPlatformAdmin || grants.Any(g => g.UserId == u.Id)))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Deactivation affects the whole account: a tenant admin may do it only when every role of the user is theirs to manage.</summary>
    private static async Task<Error?> CheckWholeAccountAsync(PlatformDbContext db, ICurrentUser current, HavenUser user, CancellationToken cancellationToken)
    {
        if (user.Id == current.UserId)
        {
            return IdentityErrors.CannotChangeSelf;
        }

        var scope = AdminScope.Of(current);
        var grants = await db.RoleGrants.AsNoTracking().Where(g => g.UserId == user.Id).ToListAsync(cancellationToken);
        return grants.All(g => scope.Covers(g.Role, g.TenantId)) ? null : IdentityErrors.UserHasOtherGrants;
    }

    private static async Task<Error?> CheckGrantAsync(
        PlatformDbContext db, ICurrentUser current, string role, Guid? tenantId, string? providerType, CancellationToken cancellationToken)
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

    private static async Task<AdminUserView> ViewAsync(PlatformDbContext db, HavenUser user, TimeProvider clock, CancellationToken cancellationToken) =>
        new(user.Id, user.Email, user.DisplayName, user.IsAnonymous, user.IsActive,
            await db.MfaAuthenticators.AnyAsync(a => a.UserId == user.Id && a.EnabledAt != null, cancellationToken),
            user.LockoutEnd is { } end && end > clock.GetUtcNow(),
            user.CreatedAt, user.LastLoginAt,
            await AuthEndpoints.GrantViewsAsync(db, user.Id, cancellationToken));
}
