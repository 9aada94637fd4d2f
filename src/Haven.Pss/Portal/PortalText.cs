using System.Globalization;
using Haven.Pss.Data;

namespace Haven.Pss.Portal;

/// <summary>Dates, moods and flags as the portal writes them for people.</summary>
public static class PortalText
{
    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    public static string Date(DateOnly? date, string none = "—") => date is { } d ? Date(d) : none;

    public static string Date(DateTimeOffset? time, string none = "—") => time is { } t ? Date(DateOnly.FromDateTime(t.UtcDateTime)) : none;

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Mood(Mood? mood) => mood is { } m ? Moods.Label(m) : "—";

    /// <summary>The badge style of a mood: low moods stand out, by text as well as colour.</summary>
    public static string MoodBadge(Mood mood) => mood switch
    {
        Data.Mood.VeryLow or Data.Mood.Low => "badge badge--warn",
        Data.Mood.Good or Data.Mood.VeryGood => "badge badge--ok",
        _ => "badge",
    };

    public static string Number(double? value, string none = "—") => value?.ToString("0.#", CultureInfo.InvariantCulture) ?? none;

    public static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string EnergyLabel(int level) => level switch
    {
        1 => "1 – exhausted",
        5 => "5 – okay",
        10 => "10 – full of energy",
        _ => level.ToString(CultureInfo.InvariantCulture),
    };
}
