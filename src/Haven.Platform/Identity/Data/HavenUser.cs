using Microsoft.AspNetCore.Identity;

namespace Haven.Platform.Identity.Data;

/// <summary>
/// One person (or one anonymous survivor's device) in the single identity store, table <c>platform.users</c>.
/// Identity's columns hold the password hash, security stamp and lockout counters; Haven adds the rest.
/// </summary>
public sealed class HavenUser : IdentityUser<Guid>
{
    public string? DisplayName { get; set; }

    /// <summary>A Kintaraa survivor known only by a device credential: no email, no password, until upgraded.</summary>
    public bool IsAnonymous { get; set; }

    /// <summary>Deactivated users cannot sign in and their sessions are revoked.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Lockouts in a row without a successful sign-in: each one doubles the next lockout (progressive lockout).</summary>
    public int LockoutCount { get; set; }

    /// <summary>Bumped whenever roles or the account state change; access tokens carry it, so stale roles stop working at once.</summary>
    public int AuthzVersion { get; set; } = 1;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }

    public List<UserRoleGrant> Grants { get; set; } = [];
}

/// <summary>A role held by a user, optionally inside one tenant; <c>platform.role_grants</c>.</summary>
public sealed class UserRoleGrant
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Role { get; set; }

    public Guid? TenantId { get; set; }

    /// <summary>Only for <c>kintaraa.provider</c>: one of <see cref="ProviderTypes"/>.</summary>
    public string? ProviderType { get; set; }

    public DateTimeOffset GrantedAt { get; set; }

    public Guid? GrantedBy { get; set; }

    public RoleGrant ToRoleGrant() => new(Role, TenantId);
}

/// <summary>
/// A sign-in: one refresh-token family. Every access token names its session (<c>sid</c>); revoking the session ends
/// all of them, whichever carrier (header, SignalR query string, portal cookie) presents them.
/// </summary>
public sealed class UserSession
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>How the session was opened: <c>password</c>, <c>mfa</c>, <c>device</c>, <c>registration</c>.</summary>
    public required string Method { get; set; }

    /// <summary>True when a second factor was verified in this session (staff roles need it for full access).</summary>
    public bool MfaVerified { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Absolute end, however often the refresh token is rotated.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary><c>logout</c>, <c>user</c>, <c>refresh_reuse</c>, <c>password_changed</c>, <c>deactivated</c>, <c>admin</c>.</summary>
    public string? RevokedReason { get; set; }

    public string? ClientAddress { get; set; }

    public string? UserAgent { get; set; }

    public string? Device { get; set; }

    public List<RefreshToken> RefreshTokens { get; set; } = [];
}

/// <summary>One refresh token of a session, stored as a SHA-256 hash; used once, then replaced.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public Guid SessionId { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set when it was exchanged; presenting it again is reuse and revokes the whole session.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>One sign-in attempt, successful or not, with where it came from; <c>platform.login_events</c>.</summary>
public sealed class LoginEvent
{
    public Guid Id { get; set; }

    /// <summary>Null when the account named does not exist (the attempted name is not stored).</summary>
    public Guid? UserId { get; set; }

    public Guid? SessionId { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public bool Succeeded { get; set; }

    /// <summary><c>password</c>, <c>mfa</c>, <c>device</c>.</summary>
    public required string Method { get; set; }

    /// <summary>For failures: <c>invalid_credentials</c>, <c>unknown_account</c>, <c>locked_out</c>, <c>deactivated</c>, <c>invalid_mfa_code</c>, <c>throttled</c>.</summary>
    public string? FailureReason { get; set; }

    public string? ClientAddress { get; set; }

    public string? UserAgent { get; set; }

    public required string Device { get; set; }

    public required string OperatingSystem { get; set; }

    public required string Browser { get; set; }
}

/// <summary>A user's TOTP authenticator.</summary>
public sealed class MfaAuthenticator
{
    public Guid UserId { get; set; }

    /// <summary>The TOTP secret in base32, encrypted at rest (field encryption).</summary>
    public required string Secret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null while enrolment waits for the first correct code.</summary>
    public DateTimeOffset? EnabledAt { get; set; }

    /// <summary>Highest 30-second time step accepted so far: a code of that step or an earlier one is a replay.</summary>
    public long LastUsedStep { get; set; }
}

/// <summary>A single-use MFA recovery code, stored hashed.</summary>
public sealed class MfaRecoveryCode
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required byte[] CodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>A device-bound credential of an anonymous Kintaraa survivor: client-generated id and secret (hashed).</summary>
public sealed class DeviceCredential
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string DeviceId { get; set; }

    public required byte[] SecretHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>A single-use emailed token (password reset, invitation), stored hashed.</summary>
public sealed class AccountToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary><see cref="AccountTokenPurposes"/>.</summary>
    public required string Purpose { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

public static class AccountTokenPurposes
{
    public const string PasswordReset = "password_reset";
    public const string Invitation = "invitation";
}
