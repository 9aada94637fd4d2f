using Haven.Pss.Data;

namespace Haven.Pss.Dashboard;

/// <summary>
/// The cohort at a glance for staff, over the last <c>days</c> days (default 30): how many candidates, intake
/// completion, journal activity, the mood distribution, a weekly trend and the candidates flagged for a check-in
/// (<see cref="CheckInRule"/>). <c>generated_at</c> says when the figures were computed: they are cached for at most
/// <c>Haven:Pss:StatsCacheSeconds</c>.
/// </summary>
public sealed record DashboardStats(
    DateTimeOffset GeneratedAt,
    IReadOnlyCollection<Guid>? TenantIds,
    int Days,
    DateOnly From,
    DateOnly To,
    CandidateCounts Candidates,
    JournalActivity Journal,
    IReadOnlyList<MoodCount> MoodDistribution,
    IReadOnlyList<CohortTrendPoint> WeeklyTrend,
    IReadOnlyList<FlaggedCandidate> Flagged);

/// <param name="IntakeCompletionRate">0 to 1.</param>
/// <param name="ActiveInPeriod">Candidates who wrote at least one entry in the period.</param>
public sealed record CandidateCounts(int Total, int IntakeCompleted, double IntakeCompletionRate, int ActiveInPeriod);

/// <param name="AverageMood">Mood score 1 (very low) to 5 (very good).</param>
public sealed record JournalActivity(int EntriesInPeriod, int EntriesLast7Days, double? AverageMood, double? AverageEnergy, double EntriesPerActiveCandidate);

/// <param name="Share">0 to 1 of the period's entries.</param>
public sealed record MoodCount(Mood Mood, string Label, int Count, double Share);

public sealed record CohortTrendPoint(
    DateOnly PeriodStart, DateOnly PeriodEnd, int Entries, int ActiveCandidates, double? AverageMood, double? AverageEnergy, int LowMoodEntries);

public sealed record FlaggedCandidate(Guid UserId, string Name, Guid? TenantId, IReadOnlyList<string> Reasons, DateOnly? LastEntryDate, Mood? LatestMood);

/// <summary>One candidate's line in the cohort export.</summary>
public sealed record CandidateStatsRow(
    Guid UserId, string Name, string? Email, Guid? TenantId, bool IntakeCompleted, int EntriesInPeriod, DateOnly? LastEntryDate,
    Mood? LatestMood, double? AverageMood, double? AverageEnergy, IReadOnlyList<string> Flags);

/// <summary>What the cache holds: the public figures and the per-candidate rows behind them (for the CSV export).</summary>
public sealed record StatsSnapshot(DashboardStats Stats, IReadOnlyList<CandidateStatsRow> Rows);
