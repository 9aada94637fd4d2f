using System.Security.Claims;
using System.Text.Encodings.Web;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Identity.Tokens;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Authentication;

/// <summary>
/// The one authentication scheme of Haven. It accepts the same access token from three carriers:
/// <list type="bullet">
/// <item><c>Authorization: Bearer</c> — the mobile app, the PSS front end, API clients;</item>
/// <item>the <c>access_token</c> query parameter, only on paths under <c>/hubs/</c> — browsers cannot set headers on
/// WebSocket requests, so SignalR sends it there (the request log never records query strings);</item>
/// <item>the HttpOnly, SameSite=Strict portal cookie — server-rendered pages, and their live connection to the hubs
/// (same origin only: a hub request carrying the cookie from another origin's page is not authenticated by it); when
/// the access cookie has expired the refresh cookie is rotated transparently (<see cref="PortalSignIn"/>).</item>
/// </list>
/// Every token is checked against its session on each request (<see cref="SessionValidator"/>), so logout and
/// revocation take effect at once on this instance.
/// </summary>
internal sealed class HavenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenSigner signer)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "haven";
    private const string FailureKey = "haven.auth.failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (token, fromCookie) = ReadToken();
        if (token is null && !fromCookie)
        {
            return AuthenticateResult.NoResult();
        }

        if (fromCookie && Request.Path.StartsWithSegments("/hubs") && !IsSameOrigin(Request))
        {
            // WebSocket handshakes are not bound by CORS: without this a page elsewhere could open a socket that rides on
            // the portal cookie (SameSite=Strict already stops browsers sending it cross-site; this does not rely on it).
            return AuthenticateResult.NoResult();
        }

        TokenPayload? payload = null;
        var failure = token is null ? TokenFailure.Expired : signer.Validate(token, TokenTypes.Access, out payload);
        var check = failure == TokenFailure.None
            ? await Context.RequestServices.GetRequiredService<SessionValidator>().CheckAsync(payload!, Context.RequestAborted)
            : SessionCheck.Revoked;
        if (fromCookie && (failure == TokenFailure.Expired || check == SessionCheck.Stale))
        {
            // Portal pages: an expired (or role-stale) access cookie is renewed from the refresh cookie without a round trip.
            payload = await Context.RequestServices.GetRequiredService<PortalSignIn>().RenewFromCookieAsync(Context);
            (failure, check) = payload is null ? (TokenFailure.Expired, SessionCheck.Revoked) : (TokenFailure.None, SessionCheck.Valid);
        }

        if (failure != TokenFailure.None || payload is null)
        {
            return Fail(failure == TokenFailure.Expired ? "token_expired" : "invalid_token");
        }

        if (check != SessionCheck.Valid)
        {
            return Fail(check == SessionCheck.Stale ? "token_stale" : "session_revoked");
        }

        var claims = new List<Claim>
        {
            new(HavenClaims.UserId, payload.UserId.ToString()),
            new(HavenClaims.SessionId, payload.SessionId!.Value.ToString()),
        };
        claims.AddRange(payload.Roles.Select(r => new Claim(HavenClaims.Role, r)));
        if (payload.ProviderType is not null)
        {
            claims.Add(new Claim(HavenClaims.ProviderType, payload.ProviderType));
        }

        if (payload.Restricted)
        {
            claims.Add(new Claim(HavenClaims.Restricted, "true"));
        }

        var identity = new ClaimsIdentity(claims, SchemeName, HavenClaims.UserId, HavenClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private static bool IsSameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);

    private AuthenticateResult Fail(string code)
    {
        Context.Items[FailureKey] = code;
        return AuthenticateResult.Fail(code);
    }

    private (string? Token, bool FromCookie) ReadToken()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (header["Bearer ".Length..].Trim(), false);
        }

        if (Request.Path.StartsWithSegments("/hubs") && Request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            return (query, false);
        }

        if (Request.Cookies.TryGetValue(PortalSignIn.AccessCookie, out var cookie) && cookie.Length > 0)
        {
            return (cookie, true);
        }

        return Request.Cookies.ContainsKey(PortalSignIn.RefreshCookie) ? (null, true) : (null, false);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (IsPortalPage(Context))
        {
            // A person at a browser: take them to sign in and back again afterwards.
            var back = Context.Request.PathBase + Context.Request.Path + Context.Request.QueryString;
            Response.Redirect(PortalPaths.SignIn + "?returnUrl=" + Uri.EscapeDataString(back));
            return;
        }

        var code = Context.Items[FailureKey] as string ?? "unauthenticated";
        Response.Headers.WWWAuthenticate = code == "unauthenticated" ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{code}\"";
        var title = code switch
        {
            "token_expired" => "The access token has expired; refresh it.",
            "token_stale" => "Your roles changed; refresh the access token.",
            "session_revoked" => "The session has ended; sign in again.",
            "invalid_token" => "The access token is not valid.",
            _ => "Authentication is required.",
        };
        await WriteProblemAsync(new Error(code, StatusCodes.Status401Unauthorized, title));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (IsPortalPage(Context))
        {
            Response.Redirect(RestrictedSessionHandler.IsRestricted(Context.User) ? PortalPaths.MfaSetup : PortalPaths.Denied);
            return Task.CompletedTask;
        }

        return WriteProblemAsync(RestrictedSessionHandler.IsRestricted(Context.User)
            ? new Error("mfa_enrolment_required", StatusCodes.Status403Forbidden, "Enrol two-step verification before using this.",
                "Your role requires it: POST /api/auth/mfa/enrol, then /api/auth/mfa/verify.")
            : new Error("forbidden", StatusCodes.Status403Forbidden, "You may not do this."));
    }

    // Razor pages answer people, with redirects; API and hub endpoints answer programs, with problem details.
    private static bool IsPortalPage(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.CompiledPageActionDescriptor>() is not null;

    private async Task WriteProblemAsync(Error error)
    {
        Response.StatusCode = error.Status;
        var problem = new ProblemDetails { Status = error.Status, Title = error.Title, Detail = error.Detail };
        problem.Extensions["code"] = error.Code;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}
