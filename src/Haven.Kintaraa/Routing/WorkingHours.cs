using System.Globalization;
using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Routing;

public static class WorkingHours
{
    /// <summary>Monday to Friday, 08:00–17:00: what a new profile starts with.</summary>
    public static List<WorkingPeriod> OfficeHours() =>
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new WorkingPeriod(d, new TimeOnly(8, 0), new TimeOnly(17, 0)))];

    /// <summary>Every day, around the clock.</summary>
    public static List<WorkingPeriod> AroundTheClock() =>
        [.. Enum.GetValues<DayOfWeek>().Select(d => new WorkingPeriod(d, TimeOnly.MinValue, TimeOnly.MinValue))];

    public static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    /// <summary>
    /// The period covering <paramref name="now"/> in the provider's time zone, if any. A period runs from its start for
    /// (end − start); an end at or before the start runs past midnight into the next day (00:00–00:00 is a whole day).
    /// </summary>
    public static WorkingPeriod? Covering(IReadOnlyList<WorkingPeriod> periods, string timeZone, DateTimeOffset now)
    {
        if (periods.Count == 0 || !TryFindTimeZone(timeZone, out var zone))
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        foreach (var period in periods)
        {
            var length = period.End > period.Start ? period.End - period.Start : TimeSpan.FromDays(1) - (period.Start - period.End);
            // The period may have started today or (running past midnight) yesterday.
            for (var daysBack = 0; daysBack <= 1; daysBack++)
            {
                var day = local.Date.AddDays(-daysBack);
                if (day.DayOfWeek != period.Day)
                {
                    continue;
                }

                var start = day + period.Start.ToTimeSpan();
                if (local >= start && local < start + length)
                {
                    return period;
                }
            }
        }

        return null;
    }

    public static string Describe(WorkingPeriod period) =>
        string.Create(CultureInfo.InvariantCulture, $"{period.Day.ToString()[..3]} {period.Start:HH\\:mm}–{period.End:HH\\:mm}");
}
