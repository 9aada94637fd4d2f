using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;

namespace Haven.Platform.Identity;

/// <summary>The identity feature's expected failures, each with a stable code clients can act on.</summary>
public static class IdentityErrors
{
    /// <summary>Wrong password, unknown account, locked or deactivated account: one answer, so none can be told apart.</summary>
    public static readonly Error InvalidCredentials = new("invalid_credentials", StatusCodes.Status401Unauthorized,
        "The sign-in details are not correct.", "Check them and try again. After several failed attempts the account is locked for a while.");

    public static readonly Error InvalidMfaCode = new("invalid_mfa_code", StatusCodes.Status401Unauthorized,
        "The verification code is not correct.", "Use a current code from your authenticator app (each code works once) or an unused recovery code.");

    public static readonly Error InvalidMfaChallenge = new("invalid_mfa_challenge", StatusCodes.Status401Unauthorized,
        "The sign-in step has expired.", "Sign in again with your password.");

    public static readonly Error InvalidRefreshToken = new("invalid_refresh_token", StatusCodes.Status401Unauthorized,
        "The refresh token is not valid.", "Sign in again.");

    public static readonly Error RefreshTokenReused = new("refresh_token_reused", StatusCodes.Status401Unauthorized,
        "The refresh token was already used; the session has been ended.", "Sign in again.");

    public static readonly Error LoginThrottled = new("login_throttled", StatusCodes.Status429TooManyRequests,
        "Too many failed sign-ins from this address.", "Wait a few minutes and try again.");

    public static readonly Error InvalidToken = new("invalid_token", StatusCodes.Status400BadRequest,
        "The link is not valid or has expired.", "Request a new one.");

    public static readonly Error EmailTaken = Errors.Conflict("email_taken", "An account with this email already exists.");

    public static readonly Error DeviceTaken = Errors.Conflict("device_taken", "This device is already registered.", "Sign in with the device credential instead.");

    public static readonly Error MfaAlreadyEnabled = Errors.Conflict("mfa_already_enabled", "Two-step verification is already on.");

    public static readonly Error MfaNotEnrolling = Errors.Conflict("mfa_not_enrolling", "Start enrolment first.");

    public static readonly Error MfaNotEnabled = Errors.Conflict("mfa_not_enabled", "Two-step verification is not on.");

    public static readonly Error MfaRequiredByRole = Errors.Conflict("mfa_required_by_role", "Your role requires two-step verification; it cannot be turned off.");

    public static readonly Error NotAnonymous = Errors.Conflict("not_anonymous", "This account already has an email and password.");

    public static readonly Error CannotChangeSelf = Errors.Conflict("cannot_change_self", "Administrators cannot deactivate themselves or remove their own admin role.");

    public static readonly Error UserHasOtherGrants = Errors.Conflict("user_has_other_grants",
        "This user also holds roles outside your administration.", "Remove your roles from the user instead, or ask a platform administrator.");

    public static readonly Error GrantExists = Errors.Conflict("grant_exists", "The user already holds this role here.");

    public static Error RegistrationNotAllowed(string role) => Errors.Forbidden("registration_not_allowed", $"The role '{role}' cannot be self-registered.");

    public static Error PasswordRejected(IEnumerable<string> messages) => Errors.Validation("password", string.Join(" ", messages));
}
