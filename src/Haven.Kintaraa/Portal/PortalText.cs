using System.Globalization;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Routing;

namespace Haven.Kintaraa.Portal;

/// <summary>How the provider portal words and marks things: labels for the API's vocabulary, badges, local times.</summary>
public static class PortalText
{
    public static string Label<T>(T value) where T : struct, Enum
    {
        var name = SnakeEnum<T>.Name(value).Replace('_', ' ');
        return value switch
        {
            ProviderType.GbvRescue => "GBV rescue",
            ProviderType.Chw => "Community health worker",
            SupportService s => Capitalise(CaseWording.Service(s)),
            CaseStatus s => Capitalise(CaseWording.Status(s)),
            _ => Capitalise(name),
        };
    }

    public static string PriorityBadge(Priority priority) => priority switch
    {
        Priority.Critical => "badge badge--critical",
        Priority.High => "badge badge--high",
        _ => "badge",
    };

    public static string StatusBadge(CaseStatus status) => status switch
    {
        CaseStatus.New or CaseStatus.Assigned => "badge badge--info",
        CaseStatus.InProgress => "badge badge--warn",
        CaseStatus.Completed => "badge badge--ok",
        _ => "badge",
    };

    /// <summary>A time as the provider reads it: in their own time zone, with the zone named.</summary>
    public static string When(DateTimeOffset? at, string timeZone)
    {
        if (at is not { } value)
        {
            return "—";
        }

        WorkingHours.TryFindTimeZone(timeZone, out var zone);
        return TimeZoneInfo.ConvertTime(value, zone).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
    }

    public static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    public static string Day(DayOfWeek day) => CultureInfo.InvariantCulture.DateTimeFormat.GetDayName(day);

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
