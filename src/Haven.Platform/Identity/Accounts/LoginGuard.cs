using Haven.Platform.Data;
using Haven.Platform.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Accounts;

/// <summary>
/// Brute-force protection. Per account: after <see cref="HavenIdentityOptions.LockoutThreshold"/> failures in a row
/// the account locks for <see cref="HavenIdentityOptions.LockoutBaseSeconds"/>, doubling with each further lockout in a
/// row (1, 2, 4 ... minutes up to the maximum) until a successful sign-in. Per client address: more than
/// <see cref="HavenIdentityOptions.AddressFailureLimit"/> failures within the window are refused with 429 before any
/// password is checked. Both count in PostgreSQL, so they hold across instances; counters change with single atomic
/// UPDATEs, so parallel guesses cannot slip past the threshold.
/// </summary>
internal sealed class LoginGuard(PlatformDbContext db, TimeProvider clock, IOptions<HavenIdentityOptions> options)
{
    private HavenIdentityOptions Options => options.Value;

    public async Task<bool> IsAddressThrottledAsync(string? address, CancellationToken cancellationToken)
    {
        if (address is null)
        {
            return false;
        }

        var since = clock.GetUtcNow().AddMinutes(-Options.AddressWindowMinutes);
        var failures = await db.LoginEvents.CountAsync(
            e => e.ClientAddress == address && e.OccurredAt > since && !e.Succeeded, cancellationToken);
        return failures >= Options.AddressFailureLimit;
    }

    public bool IsLockedOut(HavenUser user) => user.LockoutEnd is { } end && end > clock.GetUtcNow();

    public async Task RegisterFailureAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var threshold = Options.LockoutThreshold;
        var baseSeconds = (double)Options.LockoutBaseSeconds;
        var maxSeconds = Options.LockoutMaxMinutes * 60.0;
        // Every SET expression reads the row as it was, so one statement counts, locks and resets without a race.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE platform.users SET
                lockout_count = CASE WHEN access_failed_count + 1 >= {threshold} THEN lockout_count + 1 ELSE lockout_count END,
                lockout_end = CASE WHEN access_failed_count + 1 >= {threshold}
                    THEN {now} + make_interval(secs => least({baseSeconds} * power(2, least(lockout_count, 20)), {maxSeconds}))
                    ELSE lockout_end END,
                access_failed_count = CASE WHEN access_failed_count + 1 >= {threshold} THEN 0 ELSE access_failed_count + 1 END
            WHERE id = {userId}
            """, cancellationToken);
    }

    public Task RegisterSuccessAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.AccessFailedCount, 0)
            .SetProperty(u => u.LockoutCount, 0)
            .SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null)
            .SetProperty(u => u.LastLoginAt, clock.GetUtcNow()), cancellationToken);
}
