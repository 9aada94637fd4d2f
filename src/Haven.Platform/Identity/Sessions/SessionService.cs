using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Tokens;
using Haven.Platform.Realtime;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Sessions;

/// <summary>Where a request came from, for sessions and login events.</summary>
public sealed record ClientInfo(string? Address, string? UserAgent)
{
    public static ClientInfo From(HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? Truncate(ua, 512) : null);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>A freshly issued token pair.</summary>
public sealed record IssuedTokens(
    Guid SessionId, string AccessToken, DateTimeOffset AccessExpiresAt, string RefreshToken, DateTimeOffset RefreshExpiresAt, bool Restricted);

/// <summary>
/// Sessions and their tokens: a session is one refresh-token family. Access tokens live 15 minutes; refresh tokens
/// 7 days, stored hashed and exchanged exactly once — presenting a used one again (a stolen copy, or the thief's
/// copy after the owner refreshed) revokes the whole session. Revocation is checked on every request through
/// <see cref="SessionStateCache"/>.
/// </summary>
internal sealed class SessionService(
    PlatformDbContext db,
    TokenSigner signer,
    TimeProvider clock,
    IOptions<HavenIdentityOptions> options,
    SessionStateCache cache,
    AfterCommit afterCommit,
    IRealtime realtime,
    IdentityAudit audit)
{
    private HavenIdentityOptions Options => options.Value;

    public async Task<IssuedTokens> StartAsync(HavenUser user, string method, bool mfaVerified, ClientInfo client, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = new UserSession
        {
            Id = Guid.CreateVersion7(now),
            UserId = user.Id,
            Method = method,
            MfaVerified = mfaVerified,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now.AddDays(Options.SessionMaxDays),
            ClientAddress = client.Address,
            UserAgent = client.UserAgent,
            Device = UserAgentParser.Parse(client.UserAgent).Summary,
        };
        db.Sessions.Add(session);
        var refresh = NewRefreshToken(session, now);
        user.LastLoginAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return await IssueAsync(user, session, refresh.Token, refresh.Row.ExpiresAt, cancellationToken);
    }

    /// <summary>Exchanges a refresh token for a new pair; reuse of a spent token revokes its session.</summary>
    public async Task<(IssuedTokens? Tokens, Error? Error)> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = Secrets.Hash(refreshToken);
        var row = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (row is null)
        {
            return (null, IdentityErrors.InvalidRefreshToken);
        }

        if (row.UsedAt is not null)
        {
            await RevokeForReuseAsync(row.SessionId, cancellationToken);
            return (null, IdentityErrors.RefreshTokenReused);
        }

        var session = await db.Sessions.FirstOrDefaultAsync(s => s.Id == row.SessionId, cancellationToken);
        if (session is null || session.RevokedAt is not null || session.ExpiresAt <= now || row.ExpiresAt <= now)
        {
            return (null, IdentityErrors.InvalidRefreshToken);
        }

        var user = await db.Users.FirstAsync(u => u.Id == session.UserId, cancellationToken);
        if (!user.IsActive)
        {
            await RevokeAsync(session.Id, RevocationReasons.Deactivated, cancellationToken);
            return (null, IdentityErrors.InvalidRefreshToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The conditional update is the one place two concurrent refreshes meet: exactly one of them spends the token.
        var spent = await db.RefreshTokens.Where(t => t.Id == row.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (spent == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            await RevokeForReuseAsync(session.Id, cancellationToken);
            return (null, IdentityErrors.RefreshTokenReused);
        }

        session.LastSeenAt = now;
        var next = NewRefreshToken(session, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await IssueAsync(user, session, next.Token, next.Row.ExpiresAt, cancellationToken), null);
    }

    /// <summary>
    /// Marks the session as having passed a second factor (after enrolment) and replaces its tokens: the spent refresh
    /// tokens may not be used again, and the new access token carries the user's roles.
    /// </summary>
    public async Task<IssuedTokens> ElevateAsync(HavenUser user, Guid sessionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = await db.Sessions.FirstAsync(s => s.Id == sessionId && s.UserId == user.Id, cancellationToken);
        await using var transaction = await db.BeginOrJoinTransactionAsync(cancellationToken);
        await db.RefreshTokens.Where(t => t.SessionId == sessionId && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        session.MfaVerified = true;
        session.LastSeenAt = now;
        var next = NewRefreshToken(session, now);
        await db.SaveChangesAsync(cancellationToken);
        await afterCommit.RunAsync(db, () =>
        {
            cache.Invalidate(sessionId);
            return Task.CompletedTask;
        });
        await transaction.CommitAsync(cancellationToken);
        return await IssueAsync(user, session, next.Token, next.Row.ExpiresAt, cancellationToken);
    }

    /// <summary>
    /// Ends one session. Once committed, its tokens stop working on this instance at once (on others within
    /// <see cref="HavenIdentityOptions.SessionCheckCacheSeconds"/>) and its realtime connections close on every instance.
    /// </summary>
    public async Task<bool> RevokeAsync(Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var owners = await db.Database.SqlQuery<Guid>($"""
            UPDATE platform.sessions SET revoked_at = {now}, revoked_reason = {reason}
            WHERE id = {sessionId} AND revoked_at IS NULL
            RETURNING user_id AS "Value"
            """).ToListAsync(cancellationToken);
        foreach (var userId in owners)
        {
            await ForgetAsync(userId, [sessionId]);
        }

        return owners.Count > 0;
    }

    /// <summary>Revokes every open session of a user (password reset, deactivation), optionally keeping the caller's.</summary>
    public async Task<int> RevokeAllAsync(Guid userId, string reason, Guid? except, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // One statement, so a session opened concurrently is either revoked here or opened after this commits.
        var revoked = await db.Database.SqlQuery<Guid>($"""
            UPDATE platform.sessions SET revoked_at = {now}, revoked_reason = {reason}
            WHERE user_id = {userId} AND revoked_at IS NULL AND id IS DISTINCT FROM {except}
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        await ForgetAsync(userId, except is null ? null : revoked);
        return revoked.Count;
    }

    /// <summary>
    /// Makes every access token of the user stale (roles or account state changed); they refresh to the new state.
    /// Realtime connections authenticated with the old roles close, so clients reconnect with the current ones.
    /// </summary>
    public async Task BumpAuthzVersionAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AuthzVersion, u => u.AuthzVersion + 1), cancellationToken);
        await ForgetAsync(userId, null);
    }

    /// <summary>A spent refresh token presented again means a copy exists: the whole session ends, and the trail says so.</summary>
    private async Task RevokeForReuseAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(cancellationToken);
        var userId = await db.Sessions.Where(s => s.Id == sessionId).Select(s => s.UserId).FirstAsync(cancellationToken);
        if (await RevokeAsync(sessionId, RevocationReasons.RefreshReuse, cancellationToken))
        {
            await audit.RecordAsync(IdentityAuditActions.SessionsRevoked, userId, cancellationToken,
                new AuditChanges().Set("session_id", null, sessionId).Set("reason", null, RevocationReasons.RefreshReuse),
                "A refresh token was presented a second time, so a copy of it exists: the session was ended.");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>After commit: drop the cached session state and close the realtime connections of these sessions (null: all of the user's).</summary>
    private Task ForgetAsync(Guid userId, IReadOnlyList<Guid>? sessionIds) => afterCommit.RunAsync(db, async () =>
    {
        if (sessionIds is null)
        {
            cache.InvalidateUser(userId);
            await realtime.DisconnectAsync(userId, null, CancellationToken.None);
            return;
        }

        foreach (var sessionId in sessionIds)
        {
            cache.Invalidate(sessionId);
            await realtime.DisconnectAsync(userId, sessionId, CancellationToken.None);
        }
    });

    private async Task<IssuedTokens> IssueAsync(HavenUser user, UserSession session, string refreshToken, DateTimeOffset refreshExpiresAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var grants = await db.RoleGrants.AsNoTracking().Where(g => g.UserId == user.Id).ToListAsync(cancellationToken);
        var restricted = !session.MfaVerified && grants.Any(g => HavenRoles.RequiresMfa(g.Role));
        var accessExpires = now.AddMinutes(Options.AccessTokenMinutes);
        var authzVersion = await db.Users.Where(u => u.Id == user.Id).Select(u => u.AuthzVersion).FirstAsync(cancellationToken);
        var token = signer.Sign(new TokenPayload
        {
            Type = TokenTypes.Access,
            UserId = user.Id,
            SessionId = session.Id,
            // A staff session without its second factor carries no roles at all: it can only enrol one.
            Roles = restricted ? [] : [.. grants.Select(g => g.ToRoleGrant().ToClaimValue())],
            ProviderType = restricted ? null : grants.FirstOrDefault(g => g.ProviderType is not null)?.ProviderType,
            AuthzVersion = authzVersion,
            Restricted = restricted,
            IssuedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = accessExpires.ToUnixTimeSeconds(),
        });
        return new IssuedTokens(session.Id, token, accessExpires, refreshToken, refreshExpiresAt, restricted);
    }

    private (RefreshToken Row, string Token) NewRefreshToken(UserSession session, DateTimeOffset now)
    {
        var token = Secrets.NewToken();
        var expires = now.AddDays(Options.RefreshTokenDays);
        var row = new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            SessionId = session.Id,
            TokenHash = Secrets.Hash(token),
            IssuedAt = now,
            ExpiresAt = expires < session.ExpiresAt ? expires : session.ExpiresAt,
        };
        db.RefreshTokens.Add(row);
        return (row, token);
    }
}

/// <summary>Why a session ended (stored in <c>sessions.revoked_reason</c>).</summary>
public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string User = "user";
    public const string RefreshReuse = "refresh_reuse";
    public const string PasswordChanged = "password_changed";
    public const string PasswordReset = "password_reset";
    public const string Deactivated = "deactivated";
    public const string Admin = "admin";
}
