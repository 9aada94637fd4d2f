using System.Collections.Concurrent;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Identity.Tokens;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Haven.Platform.Identity.Mfa;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Identity;

/// <summary>What a portal sign-in step produced.</summary>
/// <param name="SignedIn">Cookies were set; the browser is signed in.</param>
/// <param name="MfaChallenge">Ask for a code next and pass this back to <see cref="PortalSignIn.CompleteMfaAsync"/>.</param>
/// <param name="MfaEnrolmentRequired">Signed in, but staff without a second factor: send the user to enrol it.</param>
/// <param name="Error">Why it failed (show its title; never say whether the account exists).</param>
public sealed record PortalSignInResult(bool SignedIn, string? MfaChallenge, bool MfaEnrolmentRequired, Error? Error);

/// <summary>
/// Sign-in for the server-rendered portals. The same sessions and tokens as the API, carried in two HttpOnly,
/// SameSite=Strict cookies (Secure over HTTPS): <c>haven.access</c> (the access token, 15 minutes) and
/// <c>haven.refresh</c> (the refresh token). When the access cookie has expired the authentication handler rotates the
/// refresh cookie transparently; concurrent page requests presenting the same refresh cookie share one rotation (and
/// its result for <see cref="RenewalReuseWindow"/> on this instance) instead of tripping reuse detection.
/// Sign-in pages call <see cref="SignInAsync"/>, <see cref="CompleteMfaAsync"/> and <see cref="SignOutAsync"/>.
/// </summary>
public sealed class PortalSignIn
{
    public const string AccessCookie = "haven.access";
    public const string RefreshCookie = "haven.refresh";
    public static readonly TimeSpan RenewalReuseWindow = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (Task<IssuedTokens?> Renewal, DateTimeOffset Until)> _renewals = new();
    private readonly TimeProvider _clock;
    private readonly TokenSigner _signer;

    internal PortalSignIn(TimeProvider clock, TokenSigner signer)
    {
        _clock = clock;
        _signer = signer;
    }

    public async Task<PortalSignInResult> SignInAsync(HttpContext http, string email, string password, CancellationToken cancellationToken)
    {
        var result = await http.RequestServices.GetRequiredService<LoginService>().PasswordAsync(email, password, ClientInfo.From(http), cancellationToken);
        return Complete(http, result);
    }

    public async Task<PortalSignInResult> CompleteMfaAsync(HttpContext http, string challenge, string code, CancellationToken cancellationToken)
    {
        var login = http.RequestServices.GetRequiredService<LoginService>();
        // A recovery code has a dash and letters; a TOTP code is six digits.
        var isTotp = code.Trim().Replace(" ", "", StringComparison.Ordinal).All(char.IsAsciiDigit);
        var result = await login.MfaAsync(challenge, isTotp ? code : null, isTotp ? null : code, ClientInfo.From(http), cancellationToken);
        return Complete(http, result);
    }

    /// <summary>Starts (or restarts) authenticator enrolment for the signed-in user: the secret and otpauth URI to show.</summary>
    public async Task<(string Secret, string Uri)> BeginMfaEnrolmentAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(http.User.FindFirst(HavenClaims.UserId)!.Value);
        var db = http.RequestServices.GetRequiredService<Haven.Platform.Data.PlatformDbContext>();
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        return await http.RequestServices.GetRequiredService<MfaService>().BeginEnrolmentAsync(user, cancellationToken);
    }

    /// <summary>Confirms enrolment with a code; on success the session is elevated (new cookies) and the recovery codes returned once.</summary>
    public async Task<(IReadOnlyList<string>? RecoveryCodes, Error? Error)> ConfirmMfaEnrolmentAsync(HttpContext http, string code, CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(http.User.FindFirst(HavenClaims.UserId)!.Value);
        var sessionId = Guid.Parse(http.User.FindFirst(HavenClaims.SessionId)!.Value);
        var (confirmed, error) = await http.RequestServices.GetRequiredService<MfaEnrolmentFlow>().ConfirmAsync(userId, sessionId, code, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        WriteCookies(http, confirmed!.Tokens);
        return (confirmed.RecoveryCodes, null);
    }

    /// <summary>Ends every session of the signed-in user (all browsers and devices) and clears this browser's cookies.</summary>
    public async Task<int> SignOutEverywhereAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var ended = 0;
        if (Guid.TryParse(http.User.FindFirst(HavenClaims.UserId)?.Value, out var userId))
        {
            ended = await http.RequestServices.GetRequiredService<SessionService>().RevokeAllAsync(userId, RevocationReasons.User, except: null, cancellationToken);
        }

        ClearCookies(http);
        return ended;
    }

    /// <summary>Ends the browser's session (server-side revocation, not just cookie deletion) and clears the cookies.</summary>
    public async Task SignOutAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(http.User.FindFirst(HavenClaims.SessionId)?.Value, out var sessionId))
        {
            await http.RequestServices.GetRequiredService<SessionService>().RevokeAsync(sessionId, RevocationReasons.Logout, cancellationToken);
        }

        ClearCookies(http);
    }

    /// <summary>Called by the authentication handler when the access cookie is missing or expired.</summary>
    internal async Task<TokenPayload?> RenewFromCookieAsync(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(RefreshCookie, out var refresh) || refresh.Length == 0)
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var key = Convert.ToBase64String(Secrets.Hash(refresh));
        foreach (var (staleKey, entry) in _renewals)
        {
            if (entry.Until <= now)
            {
                _renewals.TryRemove(staleKey, out _);
            }
        }

        var services = http.RequestServices;
        var renewal = _renewals.GetOrAdd(key, _ => (RenewAsync(services, refresh), now + RenewalReuseWindow)).Renewal;
        var tokens = await renewal;
        if (tokens is null)
        {
            ClearCookies(http);
            return null;
        }

        WriteCookies(http, tokens);
        return _signer.Validate(tokens.AccessToken, TokenTypes.Access, out var payload) == TokenFailure.None ? payload : null;
    }

    // Shared by concurrent requests, so no single request's cancellation may abort it.
    private static async Task<IssuedTokens?> RenewAsync(IServiceProvider services, string refresh)
    {
        var (tokens, _) = await services.GetRequiredService<SessionService>().RefreshAsync(refresh, CancellationToken.None);
        return tokens;
    }

    private static PortalSignInResult Complete(HttpContext http, LoginResult result)
    {
        if (result.Error is not null)
        {
            return new PortalSignInResult(false, null, false, result.Error);
        }

        if (result.MfaChallenge is not null)
        {
            return new PortalSignInResult(false, result.MfaChallenge, false, null);
        }

        WriteCookies(http, result.Tokens!);
        return new PortalSignInResult(true, null, result.Tokens!.Restricted, null);
    }

    private static void WriteCookies(HttpContext http, IssuedTokens tokens)
    {
        http.Response.Cookies.Append(AccessCookie, tokens.AccessToken, Options(http));
        http.Response.Cookies.Append(RefreshCookie, tokens.RefreshToken, Options(http));
    }

    private static void ClearCookies(HttpContext http)
    {
        http.Response.Cookies.Delete(AccessCookie, Options(http));
        http.Response.Cookies.Delete(RefreshCookie, Options(http));
    }

    // Browser-session cookies (no Expires): closing the browser ends the portal sign-in on a shared or
    // institutional computer, while the server still bounds the session by the refresh token's lifetime.
    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
