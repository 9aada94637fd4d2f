using Haven.Platform.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Haven.Pss.Portal;

/// <summary>Previous/next links for a paged list, keeping the list's other query parameters.</summary>
public sealed record Pager(string Path, int Page, int PageSize, int Total, Dictionary<string, string?> Query)
{
    public int Pages => Math.Max(1, (int)Math.Ceiling(Total / (double)PageSize));

    public string? Previous => Page > 1 ? Link(Page - 1) : null;

    public string? Next => Page < Pages ? Link(Page + 1) : null;

    private string Link(int page)
    {
        var query = Query.Where(q => !string.IsNullOrEmpty(q.Value)).ToDictionary(q => q.Key, q => q.Value);
        query["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString(Path, query);
    }
}

/// <summary>Date filters typed into a form: a bad date is a field error, not a crash.</summary>
public static class DateFilter
{
    public static DateOnly? Parse(string? text, string field, PortalForm state)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", out var date))
        {
            return date;
        }

        state.Add(field, "Enter a date as year-month-day, for example 2026-03-01.");
        return null;
    }
}
