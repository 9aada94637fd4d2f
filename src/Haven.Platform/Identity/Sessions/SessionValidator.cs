using Haven.Platform.Data;
using Haven.Platform.Identity.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Sessions;

internal enum SessionCheck
{
    Valid,
    Revoked,
    Stale,
}

/// <summary>
/// The per-request check behind every access token: is its session still open, its user active, and were its roles
/// issued at the user's current authorization version? Answers from <see cref="SessionStateCache"/> when it can.
/// </summary>
internal sealed class SessionValidator(PlatformDbContext db, SessionStateCache cache, TimeProvider clock, IOptions<HavenIdentityOptions> options)
{
    public async Task<SessionCheck> CheckAsync(TokenPayload token, CancellationToken cancellationToken)
    {
        if (token.SessionId is not { } sessionId)
        {
            return SessionCheck.Revoked;
        }

        if (!cache.TryGet(sessionId, out var state))
        {
            state = await db.Sessions.AsNoTracking()
                .Where(s => s.Id == sessionId)
                .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new SessionState(u.Id, s.RevokedAt != null, s.ExpiresAt, u.IsActive, u.AuthzVersion))
                .FirstOrDefaultAsync(cancellationToken);
            if (state is null)
            {
                return SessionCheck.Revoked;
            }

            cache.Set(sessionId, state, TimeSpan.FromSeconds(options.Value.SessionCheckCacheSeconds));
        }

        if (state!.Revoked || !state.UserActive || state.ExpiresAt <= clock.GetUtcNow() || state.UserId != token.UserId)
        {
            return SessionCheck.Revoked;
        }

        return state.AuthzVersion == token.AuthzVersion ? SessionCheck.Valid : SessionCheck.Stale;
    }
}
