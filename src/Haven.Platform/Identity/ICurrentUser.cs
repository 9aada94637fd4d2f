namespace Haven.Platform.Identity;

/// <summary>Who is calling, for authorization decisions, audit entries and log scopes. Scoped per request.</summary>
public interface ICurrentUser
{
    bool IsAuthenticated { get; }

    Guid? UserId { get; }

    Guid? SessionId { get; }

    IReadOnlyList<RoleGrant> Roles { get; }

    /// <summary>The caller's network address as the platform trusts it (after known proxies), for audit and throttling.</summary>
    string? ClientAddress { get; }

    string? UserAgent { get; }

    /// <summary>The Kintaraa provider type (<see cref="ProviderTypes"/>) when the caller holds <c>kintaraa.provider</c>; read from the token, no lookup.</summary>
    string? ProviderType => null;

    bool HasRole(string role) => Roles.Any(r => r.Role == role);

    /// <summary>The tenant the caller acts in for a module, if their role grant there names one.</summary>
    Guid? TenantFor(string module) => Roles.FirstOrDefault(r => r.Module == module && r.TenantId is not null)?.TenantId;
}
