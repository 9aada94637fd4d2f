using System.Text.Json.Nodes;
using Haven.Pss.Intake;
using Microsoft.AspNetCore.Http;

namespace Haven.Pss.Portal;

/// <summary>
/// The intake form as HTML inputs and back: each question's input is named <c>responses.{key}</c> (the name the API's
/// field errors use), so an error lands beside its question.
/// </summary>
public static class IntakeFormInput
{
    public static string NameOf(FormField field) => "responses." + field.Key;

    /// <summary>The posted form as the answers object the intake service validates.</summary>
    public static JsonObject Read(FormDefinition form, IFormCollection posted)
    {
        var answers = new JsonObject();
        foreach (var field in form.Fields)
        {
            var values = posted[NameOf(field)];
            switch (field.Type)
            {
                case FieldTypes.MultiChoice:
                    answers[field.Key] = new JsonArray([.. values.Where(v => !string.IsNullOrEmpty(v)).Select(v => (JsonNode)JsonValue.Create(v!))]);
                    break;
                case FieldTypes.Boolean:
                    answers[field.Key] = values.Contains("true");
                    break;
                default:
                    if (!string.IsNullOrWhiteSpace(values.ToString()))
                    {
                        answers[field.Key] = values.ToString();
                    }

                    break;
            }
        }

        return answers;
    }

    /// <summary>The text to put back in a text-like input.</summary>
    public static string? Text(JsonObject? answers, FormField field) => answers?[field.Key] switch
    {
        null => null,
        JsonValue value => value.ToString(),
        var other => other.ToJsonString(),
    };

    public static bool IsChosen(JsonObject? answers, FormField field, string option) => answers?[field.Key] switch
    {
        JsonArray array => array.Any(v => v?.ToString() == option),
        JsonValue value => value.ToString() == option,
        _ => false,
    };

    public static bool IsTicked(JsonObject? answers, FormField field) => answers?[field.Key] is JsonValue v && v.TryGetValue(out bool ticked) && ticked;
}
