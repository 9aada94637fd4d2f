using System.ComponentModel.DataAnnotations;

namespace Haven.Platform.Identity;

/// <summary>Identity settings under <c>Haven:Identity</c>; the defaults are the security policy, validated at start-up.</summary>
public sealed class HavenIdentityOptions
{
    public const string Section = "Haven:Identity";

    [Range(1, 60)]
    public int AccessTokenMinutes { get; set; } = 15;

    [Range(1, 90)]
    public int RefreshTokenDays { get; set; } = 7;

    /// <summary>A session ends this long after sign-in however often it is refreshed.</summary>
    [Range(1, 365)]
    public int SessionMaxDays { get; set; } = 30;

    /// <summary>
    /// How long one instance trusts its cached view of a session (revoked? roles changed?). Revocation on the same
    /// instance takes effect at once; on other instances within this many seconds.
    /// </summary>
    [Range(0, 60)]
    public int SessionCheckCacheSeconds { get; set; } = 10;

    /// <summary>PBKDF2-HMAC-SHA512 iterations: OWASP's 2023 figure. Raising it rehashes each password at its next sign-in.</summary>
    [Range(210_000, 10_000_000)]
    public int PasswordHashIterations { get; set; } = 210_000;

    [Range(12, 128)]
    public int PasswordMinLength { get; set; } = 12;

    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    [Range(3, 100)]
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>First lockout; each further lockout in a row doubles it, up to <see cref="LockoutMaxMinutes"/>.</summary>
    [Range(1, 3600)]
    public int LockoutBaseSeconds { get; set; } = 60;

    [Range(1, 24 * 60)]
    public int LockoutMaxMinutes { get; set; } = 60;

    /// <summary>Failed sign-ins from one client address within <see cref="AddressWindowMinutes"/> before it is throttled.</summary>
    [Range(1, 10_000)]
    public int AddressFailureLimit { get; set; } = 20;

    [Range(1, 24 * 60)]
    public int AddressWindowMinutes { get; set; } = 15;

    [Range(1, 30)]
    public int MfaChallengeMinutes { get; set; } = 5;

    [Range(5, 24 * 60)]
    public int PasswordResetMinutes { get; set; } = 60;

    [Range(1, 30 * 24)]
    public int InvitationHours { get; set; } = 72;

    /// <summary>Where people reach Haven; emailed links start here (never from the request's Host header).</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Issuer shown in authenticator apps.</summary>
    [Required, StringLength(64)]
    public string TotpIssuer { get; set; } = "Haven";
}
