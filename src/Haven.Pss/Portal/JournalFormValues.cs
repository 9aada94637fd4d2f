using Haven.Pss.Data;
using Haven.Pss.Journal;
using Microsoft.AspNetCore.Http;

namespace Haven.Pss.Portal;

/// <summary>The journal entry form's values as posted (strings, so a bad value is shown back exactly as typed).</summary>
public sealed record JournalFormValues(Guid Id, int? Version, string? Date, string? Title, string? Content, string? Mood, int? EnergyLevel)
{
    public static JournalFormValues New(DateOnly today) => new(Guid.CreateVersion7(), null, PortalText.Iso(today), null, null, null, null);

    public static JournalFormValues Of(JournalEntryView e) => new(e.Id, e.Version, PortalText.Iso(e.Date), e.Title, e.Content, Moods.Name(e.Mood), e.EnergyLevel);

    public static JournalFormValues Read(IFormCollection form, Guid fallbackId) => new(
        Guid.TryParse(form["id"], out var id) ? id : fallbackId,
        int.TryParse(form["version"], out var version) ? version : null,
        form["date"].ToString(),
        form["title"].ToString(),
        form["content"].ToString(),
        form["mood"].ToString() is { Length: > 0 } mood ? mood : null,
        int.TryParse(form["energy_level"], out var energy) ? energy : null);

    /// <summary>The request the journal service takes; a date that does not parse is reported as a field error.</summary>
    public (JournalEntryRequest? Request, Platform.Web.Error? Error) ToRequest()
    {
        DateOnly? date = null;
        if (!string.IsNullOrWhiteSpace(Date))
        {
            if (!DateOnly.TryParseExact(Date, "yyyy-MM-dd", out var parsed))
            {
                return (null, Platform.Web.Errors.Validation("date", "Enter a date as year-month-day, for example 2026-03-01."));
            }

            date = parsed;
        }

        return (new JournalEntryRequest(Id, date, Title, Content, Mood, EnergyLevel, Version), null);
    }
}
