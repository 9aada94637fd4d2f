using Haven.Platform.Data;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Endpoints;

/// <summary>Anonymous survivor devices, passwords, the caller's sessions and login history.</summary>
internal static class AccountEndpoints
{
    public static void Map(RouteGroupBuilder auth)
    {
        auth.MapPost("/device/register", RegisterDeviceAsync).WithName("auth_device_register")
            .AllowAnonymous("anonymous Kintaraa survivors create their account from the app")
            .WithSummary("Create an anonymous Kintaraa survivor account bound to this device")
            .WithDescription("The app generates `device_id` (16+ characters) and `device_secret` (32+ random characters) and keeps them in secure storage; " +
                             "only a hash of the secret is stored. No email, no password. Returns tokens (201); 409 `device_taken` if the id is in use.");
        auth.MapPost("/device/login", DeviceLoginAsync).WithName("auth_device_login")
            .AllowAnonymous("sign-in with the device credential")
            .WithSummary("Sign in an anonymous survivor with the device credential");
        auth.MapPost("/upgrade", UpgradeAsync).WithName("auth_upgrade")
            .RequireAuthorization(HavenPolicies.Kintaraa.Survivor)
            .WithSummary("Turn the anonymous account into a named one (email and password), keeping the same user and data");
        auth.MapPost("/password/change", ChangePasswordAsync).WithName("auth_password_change")
            .RequireAuthorization(HavenPolicies.SignedIn)
            .WithSummary("Change the password; every other session of the user ends");
        auth.MapPost("/password/reset", RequestResetAsync).WithName("auth_password_reset")
            .AllowAnonymous("people who forgot their password")
            .WithSummary("Email a password-reset link (valid 60 minutes)")
            .WithDescription("Always answers 202, whether or not the address has an account.");
        auth.MapPost("/password/reset/confirm", ConfirmResetAsync).WithName("auth_password_reset_confirm")
            .AllowAnonymous("authorized by the emailed reset token")
            .WithSummary("Set a new password with the emailed token; every session of the user ends");
        auth.MapPost("/invitation/accept", AcceptInvitationAsync).WithName("auth_invitation_accept")
            .AllowAnonymous("authorized by the emailed invitation token")
            .WithSummary("An invited user chooses their password (then signs in and enrols two-step verification)");
        auth.MapGet("/sessions", ListSessionsAsync).WithName("auth_sessions")
            .RequireAuthorization(HavenPolicies.SignedIn)
            .WithSummary("My open sessions (devices signed in)");
        auth.MapDelete("/sessions/{id:guid}", RevokeSessionAsync).WithName("auth_session_revoke")
            .RequireAuthorization(HavenPolicies.SignedIn)
            .WithSummary("End one of my sessions; its tokens stop working at once");
        auth.MapGet("/logins", ListLoginsAsync).WithName("auth_logins")
            .RequireAuthorization(HavenPolicies.SignedIn)
            .WithSummary("My recent sign-ins and failed attempts: when, from which address, device, system and browser");
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> RegisterDeviceAsync(
        DeviceRequest request, AccountService accounts, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tokens, error) = await accounts.RegisterDeviceAsync(request.DeviceId, request.DeviceSecret, ClientInfo.From(http), cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Created("/api/auth/me", TokenResponse.From(tokens!, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> DeviceLoginAsync(
        DeviceRequest request, LoginService logins, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await logins.DeviceAsync(request.DeviceId, request.DeviceSecret, ClientInfo.From(http), cancellationToken);
        return result.Error is not null ? result.Error.ToProblem() : TypedResults.Ok(TokenResponse.From(result, clock.GetUtcNow()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UpgradeAsync(
        UpgradeRequest request, ICurrentUser user, AccountService accounts, CancellationToken cancellationToken)
    {
        var error = await accounts.UpgradeAsync(user.UserId!.Value, request.Email, request.Password, request.DisplayName, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, ICurrentUser user, AccountService accounts, CancellationToken cancellationToken)
    {
        var error = await accounts.ChangePasswordAsync(user.UserId!.Value, user.SessionId!.Value, request.CurrentPassword, request.NewPassword, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Accepted> RequestResetAsync(PasswordResetRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        await accounts.RequestPasswordResetAsync(request.Email, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ConfirmResetAsync(
        PasswordResetConfirmRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        var error = await accounts.ResetPasswordAsync(request.Token, request.NewPassword, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AcceptInvitationAsync(
        AcceptInvitationRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        var error = await accounts.AcceptInvitationAsync(request.Token, request.Password, request.DisplayName, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<SessionView>>> ListSessionsAsync(
        ICurrentUser user, PlatformDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok(await OpenSessionsAsync(db, user.UserId!.Value, user.SessionId, clock.GetUtcNow(), cancellationToken));

    /// <summary>A user's open sessions, most recently used first (also listed on the portal's account page).</summary>
    internal static async Task<IReadOnlyList<SessionView>> OpenSessionsAsync(
        PlatformDbContext db, Guid userId, Guid? currentSessionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .Select(s => new SessionView(s.Id, s.Method, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.ClientAddress, s.Device, s.Id == currentSessionId))
            .ToListAsync(cancellationToken);

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSessionAsync(
        Guid id, ICurrentUser user, PlatformDbContext db, SessionService sessions, CancellationToken cancellationToken)
    {
        // Someone else's session, or no session at all: the same 404.
        if (!await db.Sessions.AnyAsync(s => s.Id == id && s.UserId == user.UserId && s.RevokedAt == null, cancellationToken))
        {
            return Errors.NotFound("Session").ToProblem();
        }

        await sessions.RevokeAsync(id, RevocationReasons.User, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageOf<LoginEventView>>> ListLoginsAsync(
        ICurrentUser user, PlatformDbContext db, CancellationToken cancellationToken,
        int page = 1, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page_size")] int pageSize = 20)
    {
        var query = db.LoginEvents.AsNoTracking().Where(e => e.UserId == user.UserId);
        return TypedResults.Ok(await LoginEventPageAsync(query, page, pageSize, cancellationToken));
    }

    public static async Task<PageOf<LoginEventView>> LoginEventPageAsync(
        IQueryable<Data.LoginEvent> query, int page, int pageSize, CancellationToken cancellationToken)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(e => new LoginEventView(e.Id, e.UserId, e.OccurredAt, e.Succeeded, e.Method, e.FailureReason, e.ClientAddress, e.Device, e.OperatingSystem, e.Browser))
            .ToListAsync(cancellationToken);
        return new PageOf<LoginEventView>(items, total, page, pageSize);
    }
}
