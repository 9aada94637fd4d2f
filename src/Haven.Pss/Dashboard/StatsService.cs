using Haven.Platform.Identity;
using Haven.Platform.Web;
using Haven.Pss.Access;
using Haven.Pss.Data;
using Haven.Pss.Journal;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Dashboard;

/// <summary>Cohort statistics for staff: an admin's programmes (or one of them), or for a superuser every programme.</summary>
public sealed class StatsService(PssDbContext db, PssCaller caller, IUserDirectory directory, StatsCache cache, TimeProvider clock)
{
    public const int DefaultDays = 30;
    public const int MaxDays = 365;

    public async Task<Outcome<StatsSnapshot>> GetAsync(Guid? tenantId, int? days, CancellationToken cancellationToken)
    {
        var period = days ?? DefaultDays;
        if (period is < 7 or > MaxDays)
        {
            return Errors.Validation("days", $"Choose a period of 7 to {MaxDays} days.");
        }

        var scope = caller.StatsScope(tenantId);
        if (tenantId is not null && scope is { Count: 0 })
        {
            return Errors.NotFound("Programme");
        }

        var key = $"{(scope is null ? "*" : string.Join(',', scope.Order()))}|{period}";
        return await cache.GetOrComputeAsync(key, () => ComputeAsync(scope, period, cancellationToken));
    }

    private async Task<StatsSnapshot> ComputeAsync(IReadOnlyCollection<Guid>? scope, int days, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var from = today.AddDays(-(days - 1));
        var since = DateOnly.FromDayNumber(Math.Min(from.DayNumber, CheckInRule.WindowStart(today).DayNumber));

        var ids = await directory.IdsAsync(new DirectoryQuery(HavenRoles.Pss.Candidate) { TenantIds = scope }, cancellationToken);
        var users = await directory.FindManyAsync(ids, cancellationToken);
        var intake = await db.Profiles.AsNoTracking().Where(p => ids.Contains(p.UserId) && p.IntakeCompletedAt != null)
            .Select(p => p.UserId).ToListAsync(cancellationToken);
        var entries = await db.JournalEntries.AsNoTracking().Where(e => ids.Contains(e.UserId) && e.EntryDate >= since && e.EntryDate <= today.AddDays(1))
            .Select(e => new { e.UserId, e.EntryDate, e.CreatedAt, e.Mood, e.EnergyLevel })
            .ToListAsync(cancellationToken);
        var latest = await db.JournalEntries.AsNoTracking().Where(e => ids.Contains(e.UserId))
            .GroupBy(e => e.UserId)
            .Select(g => g.OrderByDescending(e => e.EntryDate).ThenByDescending(e => e.CreatedAt).Select(e => new { e.UserId, e.EntryDate, e.Mood }).First())
            .ToDictionaryAsync(x => x.UserId, cancellationToken);

        var inPeriod = entries.Where(e => e.EntryDate >= from).ToList();
        var completed = intake.ToHashSet();
        var byCandidate = entries.ToLookup(e => e.UserId);
        var rows = ids.Select(id =>
        {
            var user = users.GetValueOrDefault(id);
            var mine = byCandidate[id].ToList();
            var period = mine.Where(e => e.EntryDate >= from).ToList();
            var last = latest.GetValueOrDefault(id);
            return new CandidateStatsRow(
                id, user?.Name ?? id.ToString("D"), user?.Email, user?.TenantsOf(HavenRoles.Pss.Candidate).Cast<Guid?>().FirstOrDefault(),
                completed.Contains(id), period.Count, last?.EntryDate, last?.Mood,
                period.Count == 0 ? null : Math.Round(period.Average(e => Moods.Score(e.Mood)), 2),
                period.Count == 0 ? null : Math.Round(period.Average(e => e.EnergyLevel), 2),
                CheckInRule.Reasons(mine.Select(e => (e.EntryDate, e.CreatedAt, e.Mood, e.EnergyLevel)), today));
        }).OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();

        var active = inPeriod.Select(e => e.UserId).Distinct().Count();
        var stats = new DashboardStats(
            now,
            scope,
            days,
            from,
            today,
            new CandidateCounts(ids.Count, completed.Count, ids.Count == 0 ? 0 : Math.Round((double)completed.Count / ids.Count, 4), active),
            new JournalActivity(
                inPeriod.Count,
                inPeriod.Count(e => e.EntryDate >= today.AddDays(-6)),
                inPeriod.Count == 0 ? null : Math.Round(inPeriod.Average(e => Moods.Score(e.Mood)), 2),
                inPeriod.Count == 0 ? null : Math.Round(inPeriod.Average(e => e.EnergyLevel), 2),
                active == 0 ? 0 : Math.Round((double)inPeriod.Count / active, 2)),
            [.. Moods.All.Select(m =>
            {
                var count = inPeriod.Count(e => e.Mood == m);
                return new MoodCount(m, Moods.Label(m), count, inPeriod.Count == 0 ? 0 : Math.Round((double)count / inPeriod.Count, 4));
            })],
            WeeklyTrend(from, today, inPeriod.Select(e => (e.UserId, e.EntryDate, e.Mood, e.EnergyLevel)).ToList()),
            [.. rows.Where(r => r.Flags.Count > 0).Select(r => new FlaggedCandidate(r.UserId, r.Name, r.TenantId, r.Flags, r.LastEntryDate, r.LatestMood))]);
        return new StatsSnapshot(stats, rows);
    }

    private static List<CohortTrendPoint> WeeklyTrend(DateOnly from, DateOnly to, List<(Guid UserId, DateOnly Date, Mood Mood, int Energy)> entries)
    {
        var points = TrendPeriods.Build(TrendPeriods.Week, from, to, entries.Select(e => (e.Date, e.Mood, e.Energy)));
        return [.. points.Select(p => new CohortTrendPoint(
            p.PeriodStart, p.PeriodEnd, p.Entries,
            entries.Where(e => e.Date >= p.PeriodStart && e.Date <= p.PeriodEnd).Select(e => e.UserId).Distinct().Count(),
            p.AverageMood, p.AverageEnergy, p.LowMoodEntries))];
    }
}
