using Haven.Pss.Data;

namespace Haven.Pss.Journal;

/// <summary>
/// A journal entry as written. <c>mood</c> is one of <c>very_low</c>, <c>low</c>, <c>okay</c>, <c>good</c>,
/// <c>very_good</c>; <c>energy_level</c> 1 (exhausted) to 10 (full of energy); <c>date</c> defaults to today; title up to 200
/// characters, content up to 20000. <c>version</c> is required when changing an entry. Every field is checked and all
/// problems are reported together.
/// </summary>
public sealed record JournalEntryRequest(Guid? Id, DateOnly? Date, string? Title, string? Content, string? Mood, int? EnergyLevel, int? Version);

public sealed record JournalEntryView(
    Guid Id, Guid UserId, DateOnly Date, string Title, string Content, Mood Mood, string MoodLabel, int EnergyLevel, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static JournalEntryView From(JournalEntry e) =>
        new(e.Id, e.UserId, e.EntryDate, e.Title, e.Content, e.Mood, Moods.Label(e.Mood), e.EnergyLevel, e.Version, e.CreatedAt, e.UpdatedAt);
}

public sealed record JournalPage(IReadOnlyList<JournalEntryView> Items, int Total, int Page, int PageSize, DateOnly? From, DateOnly? To);

/// <summary>One week or month of a candidate's journal: how many entries, average mood score (1–5) and energy (1–10).</summary>
public sealed record TrendPoint(DateOnly PeriodStart, DateOnly PeriodEnd, int Entries, double? AverageMood, double? AverageEnergy, int LowMoodEntries);

public sealed record TrendView(Guid UserId, string Period, DateOnly From, DateOnly To, IReadOnlyList<TrendPoint> Points);

public static class TrendPeriods
{
    public const string Week = "week";
    public const string Month = "month";

    /// <summary>The first day of the period containing <paramref name="date"/> (weeks start on Monday).</summary>
    public static DateOnly Start(string period, DateOnly date) => period == Month
        ? new DateOnly(date.Year, date.Month, 1)
        : date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    public static DateOnly Next(string period, DateOnly start) => period == Month ? start.AddMonths(1) : start.AddDays(7);

    /// <summary>Points for every period from <paramref name="from"/> to <paramref name="to"/>, empty ones included, so a chart's axis is continuous.</summary>
    public static IReadOnlyList<TrendPoint> Build(string period, DateOnly from, DateOnly to, IEnumerable<(DateOnly Date, Mood Mood, int Energy)> entries)
    {
        var byPeriod = entries.GroupBy(e => Start(period, e.Date)).ToDictionary(g => g.Key, g => g.ToList());
        var points = new List<TrendPoint>();
        for (var start = Start(period, from); start <= to; start = Next(period, start))
        {
            var items = byPeriod.GetValueOrDefault(start) ?? [];
            points.Add(new TrendPoint(
                start,
                Next(period, start).AddDays(-1),
                items.Count,
                items.Count == 0 ? null : Math.Round(items.Average(i => Moods.Score(i.Mood)), 2),
                items.Count == 0 ? null : Math.Round(items.Average(i => i.Energy), 2),
                items.Count(i => Moods.IsLow(i.Mood))));
        }

        return points;
    }
}
