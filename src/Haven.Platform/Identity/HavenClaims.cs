namespace Haven.Platform.Identity;

/// <summary>
/// The claims every authenticated Haven principal carries, whatever carried the token (Authorization header,
/// SignalR query string, portal cookie). Module code reads them through <see cref="ICurrentUser"/>.
/// </summary>
public static class HavenClaims
{
    /// <summary>User id (uuid).</summary>
    public const string UserId = "sub";

    /// <summary>Session id (uuid): what logout and revocation act on.</summary>
    public const string SessionId = "sid";

    /// <summary>One claim per role grant: <c>module.role</c>, optionally <c>@tenant-uuid</c> (e.g. <c>lers.io@7f0c...</c>).</summary>
    public const string Role = "role";

    /// <summary>Kintaraa provider type of a <c>kintaraa.provider</c> grant (<see cref="ProviderTypes"/>); absent otherwise.</summary>
    public const string ProviderType = "provider_type";

    /// <summary>
    /// Present (value <c>true</c>) on a staff session that has not enrolled a second factor yet: it carries no roles and
    /// reaches only the endpoints that let the user enrol (see <see cref="HavenPolicies.MfaEnrolment"/>).
    /// </summary>
    public const string Restricted = "restricted";
}

/// <summary>A role held by a user, optionally inside one tenant of the role's module.</summary>
public sealed record RoleGrant(string Role, Guid? TenantId)
{
    public string Module => Role[..Role.IndexOf('.')];

    public string ToClaimValue() => TenantId is { } tenant ? $"{Role}@{tenant}" : Role;

    public static RoleGrant Parse(string claimValue)
    {
        var at = claimValue.IndexOf('@');
        return at < 0 ? new RoleGrant(claimValue, null) : new RoleGrant(claimValue[..at], Guid.Parse(claimValue[(at + 1)..]));
    }
}
