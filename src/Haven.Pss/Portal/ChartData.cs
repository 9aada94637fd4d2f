using System.Globalization;
using System.Text.Json;
using Haven.Pss.Dashboard;
using Haven.Pss.Data;
using Haven.Pss.Journal;

namespace Haven.Pss.Portal;

/// <summary>
/// Chart.js data for a canvas's <c>data-chart</c> attribute (pss.js draws it; the page always shows the same figures in a
/// table, which is the accessible version and what works without JavaScript).
/// </summary>
public static class ChartData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string PeriodLabel(string period, DateOnly start) =>
        period == TrendPeriods.Month ? start.ToString("MMM yyyy", CultureInfo.InvariantCulture) : "Week of " + start.ToString("d MMM", CultureInfo.InvariantCulture);

    public static string MoodAndEnergy(string period, IReadOnlyList<TrendPoint> points) => JsonSerializer.Serialize(new
    {
        kind = "mood_energy",
        labels = points.Select(p => PeriodLabel(period, p.PeriodStart)),
        mood = points.Select(p => p.AverageMood),
        energy = points.Select(p => p.AverageEnergy),
    }, Json);

    public static string CohortTrend(IReadOnlyList<CohortTrendPoint> points) => JsonSerializer.Serialize(new
    {
        kind = "mood_energy",
        labels = points.Select(p => PeriodLabel(TrendPeriods.Week, p.PeriodStart)),
        mood = points.Select(p => p.AverageMood),
        energy = points.Select(p => p.AverageEnergy),
    }, Json);

    public static string MoodDistribution(IReadOnlyList<MoodCount> counts) => JsonSerializer.Serialize(new
    {
        kind = "mood_bars",
        labels = counts.Select(c => c.Label),
        counts = counts.Select(c => c.Count),
    }, Json);

    /// <summary>The nearest mood's name for an average score, e.g. 2.4 → "Low".</summary>
    public static string NearestMood(double? average) => average is { } a ? Moods.Label((Mood)Math.Clamp((int)Math.Round(a, MidpointRounding.AwayFromZero), 1, 5)) : "—";
}
