using System.Collections.Concurrent;

namespace Haven.Platform.Identity.Sessions;

/// <summary>What the per-request session check needs to know, read from <c>sessions</c> joined with <c>users</c>.</summary>
internal sealed record SessionState(Guid UserId, bool Revoked, DateTimeOffset ExpiresAt, bool UserActive, int AuthzVersion);

/// <summary>
/// Per-instance cache of <see cref="SessionState"/> so that every request does not query PostgreSQL. Entries live
/// <see cref="HavenIdentityOptions.SessionCheckCacheSeconds"/> on the injected clock; this instance drops an entry the
/// moment it revokes a session or changes a user, so revocation is immediate here and bounded by that lifetime on
/// other instances.
/// </summary>
internal sealed class SessionStateCache(TimeProvider clock)
{
    private const int PruneAbove = 50_000;
    private readonly ConcurrentDictionary<Guid, (SessionState State, DateTimeOffset Until)> _entries = new();

    public bool TryGet(Guid sessionId, out SessionState? state)
    {
        state = null;
        if (_entries.TryGetValue(sessionId, out var entry) && entry.Until > clock.GetUtcNow())
        {
            state = entry.State;
            return true;
        }

        return false;
    }

    public void Set(Guid sessionId, SessionState state, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var now = clock.GetUtcNow();
        if (_entries.Count > PruneAbove)
        {
            foreach (var (key, value) in _entries)
            {
                if (value.Until <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }

        _entries[sessionId] = (state, now + lifetime);
    }

    public void Invalidate(Guid sessionId) => _entries.TryRemove(sessionId, out _);

    public void InvalidateUser(Guid userId)
    {
        foreach (var (key, value) in _entries)
        {
            if (value.State.UserId == userId)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }
}
