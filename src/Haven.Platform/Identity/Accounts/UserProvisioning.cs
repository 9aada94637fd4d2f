using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Mfa;
using Haven.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity;

/// <summary>A role to grant: optionally inside a tenant, with a provider type for <c>kintaraa.provider</c>.</summary>
public sealed record RoleGrantSpec(string Role, Guid? TenantId = null, string? ProviderType = null);

/// <summary>A user to provision. <see cref="MfaSecret"/> (base32) enables TOTP with a known secret: demo data and tests only.</summary>
public sealed record UserSpec(string Email, string? Password, string? DisplayName, IReadOnlyList<RoleGrantSpec> Roles)
{
    public string? MfaSecret { get; init; }
}

public sealed record ProvisionedUser(Guid Id, string Email, bool Created);

/// <summary>
/// Creates tenants and users with roles from code: the platform's demo seeder, the <c>create-admin</c> command, and the
/// modules' own demo data. Idempotent — a user is found by email, a tenant by module and name — so seeding twice adds
/// nothing. The password goes through the full password policy.
/// </summary>
public interface IUserProvisioning
{
    Task<Tenant> EnsureTenantAsync(string module, string kind, string name, CancellationToken cancellationToken);

    /// <summary>Creates the user if the email is new (then sets password and MFA secret), and adds any missing role grants.</summary>
    Task<ProvisionedUser> EnsureUserAsync(UserSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the name a user is shown by (null or blank clears it), audited with the signed-in caller as the actor. The
    /// module decides first whether the caller may rename this user; false when the user does not exist.
    /// </summary>
    Task<bool> SetDisplayNameAsync(Guid userId, string? displayName, CancellationToken cancellationToken);
}

/// <summary>
/// Demo staff accounts need a second factor like real ones. Demo seeding gives them this fixed, published TOTP secret
/// (add it to any authenticator app, or compute codes with <c>oathtool --totp -b</c>) and prints it beside each login.
/// Never use it outside demo data.
/// </summary>
public static class DemoMfa
{
    public const string Secret = "HAVENDEMOHAVENDEMOHAVENDEMOHAVEN";

    public const string Note = "TOTP secret " + Secret + " (demo only)";
}

internal sealed class UserProvisioning(
    PlatformDbContext db, Accounts.AccountService accounts, MfaService mfa, UserManager<HavenUser> users, IdentityAudit audit, IAuditTrail trail,
    ICurrentUser current, TimeProvider clock) : IUserProvisioning
{
    /// <summary>An admin through the API is the actor; code run by nobody signed in (demo seeding, the CLI) names itself.</summary>
    private AuditActor? Actor => current.IsAuthenticated ? null : IdentityAudit.Provisioning;

    public async Task<Tenant> EnsureTenantAsync(string module, string kind, string name, CancellationToken cancellationToken)
    {
        if (!TenantKinds.All.Contains(kind))
        {
            throw new ArgumentException($"Unknown tenant kind '{kind}'.", nameof(kind));
        }

        var existing = await db.Tenants.FirstOrDefaultAsync(t => t.Module == module && t.Name == name, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var now = clock.GetUtcNow();
        var tenant = new Tenant { Id = Guid.CreateVersion7(now), Module = module, Kind = kind, Name = name, CreatedAt = now };
        db.Tenants.Add(tenant);
        await trail.SaveChangesAsync(db, new AuditEvent(IdentityAuditActions.TenantCreated, "tenant", tenant.Id)
        {
            TenantId = tenant.Id,
            Changes = new AuditChanges().Set("module", null, module).Set("kind", null, kind).Set("name", null, name),
            Actor = Actor,
        }, cancellationToken);
        return tenant;
    }

    public async Task<ProvisionedUser> EnsureUserAsync(UserSpec spec, CancellationToken cancellationToken)
    {
        foreach (var grant in spec.Roles)
        {
            if (RoleGrantRules.Check(grant.Role, grant.TenantId is null ? null : await db.Tenants.FindAsync([grant.TenantId], cancellationToken), grant.TenantId, grant.ProviderType) is { } problem)
            {
                throw new ArgumentException($"Cannot grant {grant.Role}: {problem}", nameof(spec));
            }
        }

        var normalized = users.NormalizeEmail(spec.Email);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        var created = false;
        if (user is null)
        {
            var (newUser, error) = await accounts.CreateUserAsync(spec.Email, spec.Password, spec.DisplayName, "password", cancellationToken);
            user = newUser ?? throw new ArgumentException($"Cannot create {spec.Email}: {string.Join(" ", error!.FieldErrors?.SelectMany(f => f.Value) ?? [error.Title])}", nameof(spec));
            created = true;
            await audit.RecordAsync(IdentityAuditActions.UserCreated, user.Id, cancellationToken, actor: Actor);
        }

        // Also for an existing user without one (their authenticator was removed): the spec says they have this secret.
        if (spec.MfaSecret is not null && !await mfa.IsEnabledAsync(user.Id, cancellationToken))
        {
            await mfa.SetEnabledSecretAsync(user.Id, Base32.Decode(spec.MfaSecret), cancellationToken);
            await audit.RecordAsync(IdentityAuditActions.MfaEnabled, user.Id, cancellationToken,
                new AuditChanges().Set("two_factor_enabled", false, true), "provisioned with a known secret", actor: Actor);
        }

        var held = await db.RoleGrants.Where(g => g.UserId == user.Id).ToListAsync(cancellationToken);
        foreach (var grant in spec.Roles.Where(r => !held.Any(h => h.Role == r.Role && h.TenantId == r.TenantId)))
        {
            await accounts.AddGrantAsync(user.Id, grant.Role, grant.TenantId, grant.ProviderType, null, cancellationToken, Actor);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ProvisionedUser(user.Id, spec.Email, created);
    }

    public async Task<bool> SetDisplayNameAsync(Guid userId, string? displayName, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return false;
        }

        if (user.DisplayName != name)
        {
            user.DisplayName = name;
            user.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            // Redacted: the trail is append-only and outlives accounts, so it must not keep a person's name.
            await audit.RecordAsync(IdentityAuditActions.UserRenamed, userId, cancellationToken, new AuditChanges().Redacted("display_name"), actor: Actor);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}

/// <summary>What makes a role grant well-formed, wherever it is made (admin API, provisioning, CLI).</summary>
internal static class RoleGrantRules
{
    /// <summary>Null when the grant is valid, otherwise why not.</summary>
    public static string? Check(string role, Tenant? tenant, Guid? tenantId, string? providerType)
    {
        if (!HavenRoles.IsKnown(role))
        {
            return "unknown role.";
        }

        if (tenantId is not null && (tenant is null || !tenant.IsActive))
        {
            return "no such tenant.";
        }

        if (tenant is not null && (role == HavenRoles.Platform.Admin || tenant.Module != HavenRoles.ModuleOf(role)))
        {
            return $"the tenant belongs to module '{tenant.Module}', not to this role's module.";
        }

        if (role == HavenRoles.Kintaraa.Provider && (providerType is null || !ProviderTypes.All.Contains(providerType)))
        {
            return $"a Kintaraa provider needs a provider type ({string.Join(", ", ProviderTypes.All)}).";
        }

        if (role != HavenRoles.Kintaraa.Provider && providerType is not null)
        {
            return "only Kintaraa providers have a provider type.";
        }

        return null;
    }
}
