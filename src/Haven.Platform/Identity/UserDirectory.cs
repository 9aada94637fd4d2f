using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity;

/// <summary>A user as modules see them: who they are and which roles they hold where. No credentials, no sessions.</summary>
public sealed record DirectoryUser(Guid Id, string? Email, string? DisplayName, bool IsActive, IReadOnlyList<RoleGrant> Roles)
{
    /// <summary>The display name, or the email when there is none.</summary>
    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? Email ?? Id.ToString("D") : DisplayName;

    /// <summary>The tenants in which the user holds <paramref name="role"/> (empty when held without a tenant).</summary>
    public IReadOnlyList<Guid> TenantsOf(string role) => [.. Roles.Where(r => r.Role == role && r.TenantId is not null).Select(r => r.TenantId!.Value)];

    public bool Holds(string role) => Roles.Any(r => r.Role == role);
}

/// <summary>
/// Which holders of <see cref="Role"/> to list. <see cref="TenantIds"/> null means every holder, in any tenant or none;
/// otherwise only holders granted the role inside one of those tenants. <see cref="Search"/> matches display name or
/// email (case-insensitive substring); <see cref="UserIds"/> restricts to known ids (e.g. found by a module's own search).
/// </summary>
public sealed record DirectoryQuery(string Role)
{
    public IReadOnlyCollection<Guid>? TenantIds { get; init; }

    public string? Search { get; init; }

    public IReadOnlyCollection<Guid>? UserIds { get; init; }

    public bool IncludeInactive { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 20;
}

public sealed record DirectoryPage(IReadOnlyList<DirectoryUser> Items, int Total);

public sealed record DirectoryTenant(Guid Id, string Kind, string Name, bool IsActive);

/// <summary>
/// Read-only look-ups of users and their role grants, for modules: a module lists the holders of its roles in a
/// tenant (a programme's candidates, a clinic's clinicians), checks which tenant a user belongs to, and shows names,
/// without touching the platform's tables. Results are ordered by display name, then email.
/// </summary>
public interface IUserDirectory
{
    Task<DirectoryUser?> FindAsync(Guid userId, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<Guid, DirectoryUser>> FindManyAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken);

    Task<DirectoryPage> SearchAsync(DirectoryQuery query, CancellationToken cancellationToken);

    /// <summary>Every id matching the query (no paging): for statistics over a whole tenant.</summary>
    Task<IReadOnlyList<Guid>> IdsAsync(DirectoryQuery query, CancellationToken cancellationToken);

    /// <summary>A module's tenants by name (all of them, or those in <paramref name="ids"/>), to show and choose programmes, clinics, stations.</summary>
    Task<IReadOnlyList<DirectoryTenant>> TenantsAsync(string module, IReadOnlyCollection<Guid>? ids, CancellationToken cancellationToken);
}

internal sealed class UserDirectory(PlatformDbContext db) : IUserDirectory
{
    public async Task<DirectoryUser?> FindAsync(Guid userId, CancellationToken cancellationToken) =>
        (await FindManyAsync([userId], cancellationToken)).GetValueOrDefault(userId);

    public async Task<IReadOnlyDictionary<Guid, DirectoryUser>> FindManyAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return new Dictionary<Guid, DirectoryUser>();
        }

        var ids = userIds.Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.Email, u.DisplayName, u.IsActive, Grants = u.Grants.Select(g => new { g.Role, g.TenantId }).ToList() })
            .ToListAsync(cancellationToken);
        return users.ToDictionary(
            u => u.Id,
            u => new DirectoryUser(u.Id, u.Email, u.DisplayName, u.IsActive, [.. u.Grants.Select(g => new RoleGrant(g.Role, g.TenantId))]));
    }

    public async Task<DirectoryPage> SearchAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, 100);
        var matching = Filter(query);
        var total = await matching.CountAsync(cancellationToken);
        var ids = await matching
            .OrderBy(u => u.DisplayName ?? u.Email).ThenBy(u => u.Email).ThenBy(u => u.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(u => u.Id)
            .ToListAsync(cancellationToken);
        var users = await FindManyAsync(ids, cancellationToken);
        return new DirectoryPage([.. ids.Select(id => users[id])], total);
    }

    public async Task<IReadOnlyList<Guid>> IdsAsync(DirectoryQuery query, CancellationToken cancellationToken) =>
        await Filter(query).Select(u => u.Id).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<DirectoryTenant>> TenantsAsync(string module, IReadOnlyCollection<Guid>? ids, CancellationToken cancellationToken)
    {
        var tenants = db.Tenants.AsNoTracking().Where(t => t.Module == module);
        if (ids is not null)
        {
            var wanted = ids.ToList();
            tenants = tenants.Where(t => wanted.Contains(t.Id));
        }

        return await tenants.OrderBy(t => t.Name).Select(t => new DirectoryTenant(t.Id, t.Kind, t.Name, t.IsActive)).ToListAsync(cancellationToken);
    }

    private IQueryable<Data.HavenUser> Filter(DirectoryQuery query)
    {
        var grants = db.RoleGrants.AsNoTracking().Where(g => g.Role == query.Role);
        if (query.TenantIds is not null)
        {
            var tenants = query.TenantIds.ToList();
            grants = grants.Where(g => g.TenantId != null && tenants.Contains(g.TenantId.Value));
        }

        var users = db.Users.AsNoTracking().Where(u => grants.Any(g => g.UserId == u.Id));
        if (!query.IncludeInactive)
        {
            users = users.Where(u => u.IsActive);
        }

        if (query.UserIds is not null)
        {
            var ids = query.UserIds.ToList();
            users = users.Where(u => ids.Contains(u.Id));
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + EscapeLike(query.Search.Trim()) + "%";
            users = users.Where(u => EF.Functions.ILike(u.DisplayName ?? "", pattern, "\\") || EF.Functions.ILike(u.Email ?? "", pattern, "\\"));
        }

        return users;
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
