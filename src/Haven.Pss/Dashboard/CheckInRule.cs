using Haven.Pss.Data;

namespace Haven.Pss.Dashboard;

/// <summary>
/// When a candidate's journal suggests an admin should check in with them. Only entries dated within the last
/// <see cref="WindowDays"/> days count, newest first (by date, then by when written):
/// <list type="bullet">
/// <item><c>low_mood_streak</c>: the newest <see cref="LowMoodStreak"/> or more entries are all low or very low —
/// a good day since then clears it;</item>
/// <item><c>energy_drop</c>: the average energy of the newest <see cref="RecentEntries"/> entries is at least
/// <see cref="EnergyDrop"/> points below the average of the (up to <see cref="BaselineEntries"/>, at least 3) entries
/// before them.</item>
/// </list>
/// A flag is a prompt for a human conversation, never a diagnosis; it is shown to staff only.
/// </summary>
public static class CheckInRule
{
    public const int WindowDays = 28;
    public const int LowMoodStreak = 3;
    public const int RecentEntries = 3;
    public const int BaselineEntries = 7;
    public const int EnergyDrop = 3;

    public const string LowMoodStreakReason = "low_mood_streak";
    public const string EnergyDropReason = "energy_drop";

    public static DateOnly WindowStart(DateOnly today) => today.AddDays(-(WindowDays - 1));

    public static string Describe(string reason) => reason switch
    {
        LowMoodStreakReason => $"{LowMoodStreak} or more low-mood entries in a row",
        EnergyDropReason => "A sudden drop in energy",
        _ => reason,
    };

    public static IReadOnlyList<string> Reasons(IEnumerable<(DateOnly Date, DateTimeOffset CreatedAt, Mood Mood, int Energy)> entries, DateOnly today)
    {
        var start = WindowStart(today);
        var recent = entries.Where(e => e.Date >= start).OrderByDescending(e => e.Date).ThenByDescending(e => e.CreatedAt).ToList();
        var reasons = new List<string>();
        if (recent.TakeWhile(e => Moods.IsLow(e.Mood)).Count() >= LowMoodStreak)
        {
            reasons.Add(LowMoodStreakReason);
        }

        var baseline = recent.Skip(RecentEntries).Take(BaselineEntries).ToList();
        if (recent.Count >= RecentEntries && baseline.Count >= 3
            && recent.Take(RecentEntries).Average(e => e.Energy) <= baseline.Average(e => e.Energy) - EnergyDrop)
        {
            reasons.Add(EnergyDropReason);
        }

        return reasons;
    }
}
