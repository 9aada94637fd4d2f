using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Haven.Pss.Dashboard;

/// <summary>
/// Dashboard statistics kept in memory for <see cref="PssOptions.StatsCacheSeconds"/>. An entry is also dropped as soon
/// as any PSS write goes through this instance (<see cref="PssChanges"/>), so here a change shows at once; a change made
/// through another instance shows within the time-to-live. No shared cache is needed for that bound.
/// </summary>
public sealed class StatsCache(PssChanges changes, TimeProvider clock, IOptions<PssOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeSpan TimeToLive => TimeSpan.FromSeconds(options.Value.StatsCacheSeconds);

    public async Task<StatsSnapshot> GetOrComputeAsync(string key, Func<Task<StatsSnapshot>> compute)
    {
        var now = clock.GetUtcNow();
        var generation = changes.Generation;
        if (_entries.TryGetValue(key, out var entry) && entry.Generation == generation && entry.ExpiresAt > now)
        {
            return entry.Snapshot;
        }

        // The generation is read before computing: a write during the computation makes this result stale at once.
        var snapshot = await compute();
        foreach (var (staleKey, stale) in _entries)
        {
            if (stale.ExpiresAt <= now || stale.Generation != generation)
            {
                _entries.TryRemove(staleKey, out _);
            }
        }

        _entries[key] = new Entry(snapshot, generation, now + TimeToLive);
        return snapshot;
    }

    private sealed record Entry(StatsSnapshot Snapshot, long Generation, DateTimeOffset ExpiresAt);
}
