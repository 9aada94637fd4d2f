using Haven.Platform.Data;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Mfa;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Endpoints;

/// <summary>Registration, sign-in, token refresh, logout and the caller's own profile, at the seeds' paths.</summary>
internal static class AuthEndpoints
{
    public const string LoginFlow =
        "Sign-in flow: POST /api/auth/login with email and password. `status: ok` returns tokens. `status: mfa_required` " +
        "returns an `mfa_token` (5 minutes): POST it with a 6-digit TOTP `code` (or a `recovery_code`) to /api/auth/login/mfa. " +
        "Staff roles (every role but kintaraa.survivor and pss.candidate) must use two-step verification: a staff account " +
        "without it gets `status: mfa_enrolment_required` and a restricted session that can only call /api/auth/me, " +
        "/api/auth/mfa/enrol, /api/auth/mfa/verify and /api/auth/logout; verifying returns full tokens. Wrong password, " +
        "unknown account, locked or deactivated account all answer the same 401 `invalid_credentials`; repeated failures lock " +
        "the account progressively, and many failures from one address answer 429 `login_throttled`.";

    public static void Map(RouteGroupBuilder auth)
    {
        auth.MapPost("/register", RegisterAsync).WithName("auth_register")
            .AllowAnonymous("self-service registration for roles that allow it")
            .WithSummary("Register an account (self-service roles only: kintaraa.survivor, pss.candidate)")
            .WithDescription("The body names the module and role. Other roles are granted by administrators (invitations). Returns tokens (201).");
        auth.MapPost("/login", LoginAsync).WithName("auth_login")
            .AllowAnonymous("sign-in")
            .WithSummary("Sign in with email and password (step 1)")
            .WithDescription(LoginFlow);
        auth.MapPost("/login/mfa", LoginMfaAsync).WithName("auth_login_mfa")
            .AllowAnonymous("second sign-in step, authorized by the mfa_token")
            .WithSummary("Complete sign-in with a TOTP code or a recovery code (step 2)")
            .WithDescription("Each TOTP code works once; each recovery code works once. " + LoginFlow);
        auth.MapPost("/refresh", RefreshAsync).WithName("auth_refresh")
            .AllowAnonymous("authorized by the refresh token in the body")
            .WithSummary("Exchange a refresh token for a new token pair")
            .WithDescription("Refresh tokens are single use and rotate on every call (7 days). Presenting a spent one ends the whole session " +
                             "(401 `refresh_token_reused`): it means the token was copied. Accepts `refresh_token` or `refresh`.");
        auth.MapPost("/logout", LogoutAsync).WithName("auth_logout")
            .AllowAnonymous("authorized by the access token or by the refresh token in the body")
            .WithSummary("End the session (server-side): its access and refresh tokens stop working")
            .WithDescription("Send the access token, or the refresh token in the body when the access token has expired. Answers 204.");
        auth.MapGet("/me", MeAsync).WithName("auth_me")
            .RequireAuthorization(HavenPolicies.MfaEnrolment)
            .WithSummary("The signed-in user: profile, roles (with tenant and provider type), two-step verification state");
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, AccountService accounts, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tokens, error) = await accounts.RegisterAsync(request.Module, request.Role, request.Email, request.Password,
            request.DisplayName, request.TenantId, ClientInfo.From(http), cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Created("/api/auth/me", TokenResponse.From(tokens!, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, LoginService logins, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await logins.PasswordAsync(request.Email, request.Password, ClientInfo.From(http), cancellationToken);
        return result.Error is not null ? result.Error.ToProblem() : TypedResults.Ok(TokenResponse.From(result, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginMfaAsync(
        MfaLoginRequest request, LoginService logins, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if ((request.Code is null) == (request.RecoveryCode is null))
        {
            return Errors.Validation("code", "Send either a code or a recovery_code.").ToProblem();
        }

        var result = await logins.MfaAsync(request.MfaToken, request.Code, request.RecoveryCode, ClientInfo.From(http), cancellationToken);
        return result.Error is not null ? result.Error.ToProblem() : TypedResults.Ok(TokenResponse.From(result, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, SessionService sessions, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Token is not { Length: > 0 } token)
        {
            return Errors.Validation("refresh_token", "The refresh token is required.").ToProblem();
        }

        var (tokens, error) = await sessions.RefreshAsync(token, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Ok(TokenResponse.From(tokens!, clock.GetUtcNow()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] RefreshRequest? request,
        ICurrentUser user, SessionService sessions, PlatformDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        Guid? sessionId = user.SessionId;
        if (sessionId is null && request?.Token is { Length: > 0 } refresh)
        {
            var hash = Tokens.Secrets.Hash(refresh);
            sessionId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.SessionId).FirstOrDefaultAsync(cancellationToken);
        }

        if (sessionId is null)
        {
            return IdentityErrors.InvalidRefreshToken.ToProblem();
        }

        await sessions.RevokeAsync(sessionId.Value, RevocationReasons.Logout, cancellationToken);
        foreach (var cookie in new[] { PortalSignIn.AccessCookie, PortalSignIn.RefreshCookie })
        {
            if (http.Request.Cookies.ContainsKey(cookie))
            {
                http.Response.Cookies.Delete(cookie, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps });
            }
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<MeResponse>> MeAsync(ICurrentUser current, PlatformDbContext db, MfaService mfa, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = current.UserId!.Value;
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        var grants = await GrantViewsAsync(db, userId, cancellationToken);
        return TypedResults.Ok(new MeResponse(
            user.Id, user.Email, user.DisplayName, user.IsAnonymous,
            await mfa.IsEnabledAsync(userId, cancellationToken),
            grants.Any(g => HavenRoles.RequiresMfa(g.Role)),
            current.SessionId!.Value,
            RestrictedSessionHandler.IsRestricted(http.User),
            grants));
    }

    public static async Task<IReadOnlyList<GrantView>> GrantViewsAsync(PlatformDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var rows = await db.RoleGrants.AsNoTracking().Where(g => g.UserId == userId)
            .OrderBy(g => g.Role)
            .Select(g => new { g.Id, g.Role, g.TenantId, TenantName = db.Tenants.Where(t => t.Id == g.TenantId).Select(t => t.Name).FirstOrDefault(), g.ProviderType })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(g => new GrantView(g.Id, g.Role, HavenRoles.ModuleOf(g.Role), g.TenantId, g.TenantName, g.ProviderType))];
    }
}
