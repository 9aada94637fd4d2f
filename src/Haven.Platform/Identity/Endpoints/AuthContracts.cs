using System.ComponentModel.DataAnnotations;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Sessions;

namespace Haven.Platform.Identity.Endpoints;

public sealed record RegisterRequest(
    [property: Required, StringLength(32)] string Module,
    [property: Required, StringLength(64)] string Role,
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: Required, StringLength(256)] string Password,
    [property: StringLength(200)] string? DisplayName,
    Guid? TenantId);

public sealed record LoginRequest(
    [property: Required, StringLength(256)] string Email,
    [property: Required, StringLength(256)] string Password);

public sealed record MfaLoginRequest(
    [property: Required, StringLength(8192)] string MfaToken,
    [property: StringLength(16)] string? Code,
    [property: StringLength(32)] string? RecoveryCode);

/// <summary><c>refresh_token</c>, or <c>refresh</c> as the seeds' Django clients send it.</summary>
public sealed record RefreshRequest([property: StringLength(256)] string? RefreshToken, [property: StringLength(256)] string? Refresh)
{
    public string? Token => RefreshToken ?? Refresh;
}

public sealed record DeviceRequest(
    [property: Required, StringLength(128, MinimumLength = 16)] string DeviceId,
    [property: Required, StringLength(256, MinimumLength = 32)] string DeviceSecret);

public sealed record UpgradeRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: Required, StringLength(256)] string Password,
    [property: StringLength(200)] string? DisplayName);

public sealed record ChangePasswordRequest(
    [property: Required, StringLength(256)] string CurrentPassword,
    [property: Required, StringLength(256)] string NewPassword);

public sealed record PasswordResetRequest([property: Required, EmailAddress, StringLength(256)] string Email);

public sealed record PasswordResetConfirmRequest(
    [property: Required, StringLength(256)] string Token,
    [property: Required, StringLength(256)] string NewPassword);

public sealed record AcceptInvitationRequest(
    [property: Required, StringLength(256)] string Token,
    [property: Required, StringLength(256)] string Password,
    [property: StringLength(200)] string? DisplayName);

public sealed record MfaCodeRequest([property: Required, StringLength(16)] string Code);

public sealed record MfaDisableRequest(
    [property: Required, StringLength(256)] string Password,
    [property: Required, StringLength(16)] string Code);

/// <summary>
/// The answer of every sign-in step. <c>status</c> says what to do next: <c>ok</c> (tokens present),
/// <c>mfa_required</c> (send <c>mfa_token</c> with a code to <c>/api/auth/login/mfa</c>), or
/// <c>mfa_enrolment_required</c> (tokens present but restricted to enrolling a second factor).
/// </summary>
public sealed record TokenResponse(
    string Status,
    string? AccessToken,
    string? RefreshToken,
    string? TokenType,
    int? ExpiresIn,
    int? RefreshExpiresIn,
    Guid? SessionId,
    string? MfaToken,
    int? MfaTokenExpiresIn)
{
    public const string Ok = "ok";
    public const string MfaRequired = "mfa_required";
    public const string MfaEnrolmentRequired = "mfa_enrolment_required";

    internal static TokenResponse From(IssuedTokens tokens, DateTimeOffset now) => new(
        tokens.Restricted ? MfaEnrolmentRequired : Ok,
        tokens.AccessToken,
        tokens.RefreshToken,
        "Bearer",
        (int)(tokens.AccessExpiresAt - now).TotalSeconds,
        (int)(tokens.RefreshExpiresAt - now).TotalSeconds,
        tokens.SessionId,
        null,
        null);

    internal static TokenResponse From(LoginResult result, DateTimeOffset now) =>
        result.Tokens is not null
            ? From(result.Tokens, now)
            : new(MfaRequired, null, null, null, null, null, null, result.MfaChallenge, (int)(result.MfaChallengeExpiresAt!.Value - now).TotalSeconds);
}

public sealed record GrantView(Guid Id, string Role, string Module, Guid? TenantId, string? TenantName, string? ProviderType);

public sealed record MeResponse(
    Guid Id,
    string? Email,
    string? DisplayName,
    bool IsAnonymous,
    bool MfaEnabled,
    bool MfaRequired,
    Guid SessionId,
    bool SessionRestricted,
    IReadOnlyList<GrantView> Roles);

public sealed record SessionView(
    Guid Id, string Method, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
    string? ClientAddress, string? Device, bool Current);

public sealed record LoginEventView(
    Guid Id, Guid? UserId, DateTimeOffset OccurredAt, bool Succeeded, string Method, string? FailureReason,
    string? ClientAddress, string Device, string OperatingSystem, string Browser);

public sealed record MfaEnrolmentResponse(string Secret, string OtpauthUri);

/// <summary>Recovery codes are shown once. <c>tokens</c> replaces a restricted session's tokens after enrolment.</summary>
public sealed record MfaVerifiedResponse(IReadOnlyList<string> RecoveryCodes, TokenResponse? Tokens);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);
