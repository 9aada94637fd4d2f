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
/// Tenant-scoped user administration over HTTP; the rules live in <see cref="UserAdministration"/>, which the modules'
/// admin portals call too. A user or grant outside the caller's scope answers 404, exactly like one that does not exist.
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
        UserAdministration users, CancellationToken cancellationToken,
        int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20, [FromQuery(Name = "tenant_id")] Guid? tenantId = null) =>
        TypedResults.Ok(await users.ListAsync(new UserListQuery { Page = page, PageSize = pageSize, TenantId = tenantId }, cancellationToken));

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> GetAsync(Guid id, UserAdministration users, CancellationToken cancellationToken) =>
        await users.GetAsync(id, cancellationToken) is { } user ? TypedResults.Ok(user) : Errors.NotFound("User").ToProblem();

    private static async Task<Results<Created<AdminUserView>, ProblemHttpResult>> InviteAsync(
        InviteUserRequest request, UserAdministration users, CancellationToken cancellationToken)
    {
        var (user, error) = await users.InviteAsync(request, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Created($"/api/admin/users/{user!.Id}", user);
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> DeactivateAsync(Guid id, UserAdministration users, CancellationToken cancellationToken) =>
        Answer(await users.SetActiveAsync(id, false, cancellationToken));

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> ReactivateAsync(Guid id, UserAdministration users, CancellationToken cancellationToken) =>
        Answer(await users.SetActiveAsync(id, true, cancellationToken));

    private static async Task<Results<Created<GrantView>, ProblemHttpResult>> GrantAsync(
        Guid id, GrantRoleRequest request, UserAdministration users, CancellationToken cancellationToken)
    {
        var (grant, error) = await users.GrantAsync(id, request, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Created($"/api/admin/users/{id}/roles/{grant!.Id}", grant);
    }

    private static async Task<Results<Ok<SessionsEndedView>, ProblemHttpResult>> RevokeSessionsAsync(Guid id, UserAdministration users, CancellationToken cancellationToken)
    {
        var (ended, error) = await users.RevokeSessionsAsync(id, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Ok(new SessionsEndedView(ended));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeGrantAsync(Guid id, Guid grantId, UserAdministration users, CancellationToken cancellationToken) =>
        await users.RevokeGrantAsync(id, grantId, cancellationToken) is { } error ? error.ToProblem() : TypedResults.NoContent();

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

    private static async Task<Ok<IReadOnlyList<TenantView>>> ListTenantsAsync(UserAdministration users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.TenantsAsync(null, cancellationToken));

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

    private static Results<Ok<AdminUserView>, ProblemHttpResult> Answer((AdminUserView? User, Error? Error) result) =>
        result.Error is not null ? result.Error.ToProblem() : TypedResults.Ok(result.User!);
}
