using System.Globalization;
using System.Text.Json;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Microsoft.AspNetCore.WebUtilities;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin;

/// <summary>Previous/next links for a paged list, keeping the list's other query parameters.</summary>
public sealed record AdminPager(string Path, int Page, int PageSize, int Total, IReadOnlyDictionary<string, string?> Query)
{
    public int Pages => Math.Max(1, (int)Math.Ceiling(Total / (double)PageSize));

    public string? Previous => Page > 1 ? Link(Page - 1) : null;

    public string? Next => Page < Pages ? Link(Page + 1) : null;

    private string Link(int page)
    {
        var query = Query.Where(q => !string.IsNullOrEmpty(q.Value)).ToDictionary(q => q.Key, q => q.Value);
        query["page"] = page.ToString(CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString(Path, query);
    }
}

/// <summary>How the admin portal writes vocabularies, times and durations for people.</summary>
public static class AdminText
{
    public static string ProviderType(ProviderType type) => type switch
    {
        Data.ProviderType.Healthcare => "Healthcare",
        Data.ProviderType.Legal => "Legal aid",
        Data.ProviderType.Police => "Police",
        Data.ProviderType.Counseling => "Counseling",
        Data.ProviderType.Social => "Social services",
        Data.ProviderType.GbvRescue => "GBV rescue",
        Data.ProviderType.Chw => "Community health worker",
        _ => SnakeEnum<ProviderType>.Name(type),
    };

    public static string IncidentType(string name) => SnakeEnum<Data.IncidentType>.TryParse(name, out var type) ? type switch
    {
        Data.IncidentType.Physical => "Physical",
        Data.IncidentType.Sexual => "Sexual",
        Data.IncidentType.Emotional => "Emotional",
        Data.IncidentType.Economic => "Economic",
        Data.IncidentType.Online => "Online",
        Data.IncidentType.Femicide => "Femicide",
        _ => name,
    } : name;

    public static string Status(string name) => SnakeEnum<CaseStatus>.TryParse(name, out var status) ? Capital(CaseWording.Status(status)) : name;

    public static string Service(SupportService service) => Capital(CaseWording.Service(service));

    public static string Priority(Priority priority) => Capital(SnakeEnum<Priority>.Name(priority));

    public static string PriorityBadge(Priority priority) => priority switch
    {
        Data.Priority.Critical => "badge badge--critical",
        Data.Priority.High => "badge badge--high",
        _ => "badge",
    };

    public static string Time(DateTimeOffset? time, string none = "—") =>
        time is { } t ? t.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture) : none;

    public static string Date(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Minutes(double minutes) => minutes switch
    {
        < 1 => "under a minute",
        < 90 => string.Create(CultureInfo.InvariantCulture, $"{minutes:0} min"),
        < 48 * 60 => string.Create(CultureInfo.InvariantCulture, $"{minutes / 60:0.#} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{minutes / 1440:0.#} days"),
    };

    public static string Waiting(DateTimeOffset since, DateTimeOffset now) => Minutes(Math.Max(0, (now - since).TotalMinutes));

    public static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static string Join(IEnumerable<string> items, string none = "—")
    {
        var list = items.ToList();
        return list.Count == 0 ? none : string.Join(", ", list);
    }
}

/// <summary>
/// Chart.js data for a canvas's <c>data-chart</c> attribute, drawn by kintaraa-admin.js. Every chart has a table with
/// the same figures beside it: that table is the accessible version and what works without JavaScript.
/// </summary>
public static class AdminCharts
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Series(string Label, IEnumerable<double?> Values);

    public static string Bars(IEnumerable<string> labels, params Series[] series) => Serialize("bar", labels, series);

    public static string Lines(IEnumerable<string> labels, params Series[] series) => Serialize("line", labels, series);

    private static string Serialize(string kind, IEnumerable<string> labels, Series[] series) => JsonSerializer.Serialize(new
    {
        kind,
        labels,
        series = series.Select(s => new { label = s.Label, values = s.Values }),
    }, Json);
}
