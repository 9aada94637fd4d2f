using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Haven.Pss.Intake;
using Haven.Pss.Profiles;

namespace Haven.Pss.Export;

/// <summary>
/// The data export as one printable HTML document: the Haven stylesheet, no script, no inline style (the content
/// security policy forbids both), every value encoded. Printing it (or saving it as PDF from the browser) gives the
/// candidate a readable copy of their data.
/// </summary>
public static class ExportHtml
{
    public static string Render(CandidateExport export)
    {
        var html = new StringBuilder();
        var name = export.Candidate.DisplayName ?? export.Candidate.Email ?? "Candidate";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E("Your PSS data · " + name)).Append("</title>\n")
            .Append("<link rel=\"icon\" href=\"/_content/Haven.Platform/favicon.svg\" type=\"image/svg+xml\">\n")
            .Append("<link rel=\"stylesheet\" href=\"/_content/Haven.Platform/css/haven.css\">\n</head>\n<body>\n<main id=\"main\" class=\"page stack\">\n")
            .Append("<h1>").Append(E("PSS data of " + name)).Append("</h1>\n")
            .Append("<p class=\"muted\">Exported ").Append(E(export.ExportedAt.UtcDateTime.ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append(". ")
            .Append("Use your browser's print command to print this page or save it as a PDF.</p>\n");

        html.Append("<section class=\"card\" aria-labelledby=\"account\">\n<h2 id=\"account\">Account</h2>\n<dl class=\"facts\">\n");
        Fact(html, "Name", export.Candidate.DisplayName);
        Fact(html, "Email", export.Candidate.Email);
        html.Append("</dl>\n</section>\n");

        html.Append("<section class=\"card\" aria-labelledby=\"profile\">\n<h2 id=\"profile\">Support profile</h2>\n<dl class=\"facts\">\n");
        foreach (var field in ProfileFields.All)
        {
            Fact(html, ProfileFields.Label(field), export.Profile[field]);
        }

        Fact(html, "Intake completed", export.Profile.IntakeCompletedAt?.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture) ?? "Not yet");
        html.Append("</dl>\n</section>\n");

        html.Append("<section class=\"card\" aria-labelledby=\"intake\">\n<h2 id=\"intake\">Intake forms</h2>\n");
        if (export.IntakeSubmissions.Count == 0)
        {
            html.Append("<p>No intake form submitted.</p>\n");
        }

        foreach (var submission in export.IntakeSubmissions)
        {
            html.Append("<h3>").Append(E($"{submission.Form.Title} (version {submission.Form.Version}), submitted {submission.SubmittedAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}")).Append("</h3>\n<dl class=\"facts\">\n");
            foreach (var field in submission.Form.Definition.Fields)
            {
                Fact(html, field.Label, Answer(field, submission.Responses[field.Key]));
            }

            html.Append("</dl>\n");
        }

        html.Append("</section>\n");

        html.Append("<section class=\"card\" aria-labelledby=\"journal\">\n<h2 id=\"journal\">Journal</h2>\n");
        if (export.JournalEntries.Count == 0)
        {
            html.Append("<p>No journal entries.</p>\n");
        }

        foreach (var entry in export.JournalEntries)
        {
            html.Append("<article class=\"stack\">\n<h3>").Append(E($"{entry.Date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}: {entry.Title}")).Append("</h3>\n")
                .Append("<p class=\"muted\">Mood: ").Append(E(entry.MoodLabel)).Append(" · Energy: ").Append(entry.EnergyLevel).Append(" of 10</p>\n");
            foreach (var paragraph in entry.Content.Split('\n'))
            {
                html.Append("<p>").Append(E(paragraph)).Append("</p>\n");
            }

            html.Append("</article>\n");
        }

        html.Append("</section>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>An answer as people read it: option labels for choices, yes/no for ticks.</summary>
    public static string? Answer(FormField field, JsonNode? value) => value switch
    {
        null => null,
        JsonArray array => string.Join(", ", array.Select(v => field.OptionLabel(v!.GetValue<string>()) ?? v.GetValue<string>())),
        JsonValue v when field.Type == FieldTypes.Boolean => v.GetValue<bool>() ? "Yes" : "No",
        JsonValue v when field.Type == FieldTypes.Choice => field.OptionLabel(v.GetValue<string>()) ?? v.GetValue<string>(),
        _ => value.ToString(),
    };

    private static void Fact(StringBuilder html, string label, string? value) =>
        html.Append("<dt>").Append(E(label)).Append("</dt><dd>").Append(string.IsNullOrEmpty(value) ? "—" : E(value)).Append("</dd>\n");

    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}
