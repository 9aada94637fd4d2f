using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Haven.Platform.Hosting;
using Haven.Platform.Web;
using Haven.Pss.Profiles;

namespace Haven.Pss.Intake;

/// <summary>
/// The questions of one intake form version. Answers are a JSON object keyed by <see cref="FormField.Key"/>. A field
/// with <see cref="FormField.MapsTo"/> copies its answer into that profile field when the form is submitted.
/// </summary>
public sealed record FormDefinition(string Title, string? Introduction, IReadOnlyList<FormField> Fields)
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FormDefinition FromJson(string json) =>
        JsonSerializer.Deserialize<FormDefinition>(json, Json) ?? throw new JsonException("An intake form definition is null.");

    /// <summary>The fields grouped by consecutive <see cref="FormField.Section"/>, in order (a fieldset each on the page).</summary>
    public IReadOnlyList<(string? Section, IReadOnlyList<FormField> Fields)> Sections()
    {
        var sections = new List<(string?, IReadOnlyList<FormField>)>();
        foreach (var field in Fields)
        {
            if (sections.Count > 0 && sections[^1].Item1 == field.Section)
            {
                ((List<FormField>)sections[^1].Item2).Add(field);
            }
            else
            {
                sections.Add((field.Section, new List<FormField> { field }));
            }
        }

        return sections;
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        PlatformServices.ConfigureJson(options);
        return options;
    }
}

/// <param name="Key">snake_case, unique in the form: the answer's name.</param>
/// <param name="Type">One of <see cref="FieldTypes"/>.</param>
/// <param name="Required">An answer is needed; for a <c>boolean</c> the box must be ticked (consent).</param>
/// <param name="MaxLength">For text answers; defaults to 500 (text) or 4000 (textarea).</param>
/// <param name="Min">Smallest allowed number.</param>
/// <param name="Max">Largest allowed number.</param>
/// <param name="MapsTo">A profile field (<see cref="ProfileFields"/>) this answer fills in.</param>
/// <param name="Section">A heading that groups consecutive fields.</param>
public sealed record FormField(
    string Key,
    string Label,
    string Type,
    bool Required = false,
    string? Help = null,
    IReadOnlyList<FormOption>? Options = null,
    int? MaxLength = null,
    decimal? Min = null,
    decimal? Max = null,
    string? MapsTo = null,
    string? Section = null)
{
    [JsonIgnore]
    public bool IsChoice => Type is FieldTypes.Choice or FieldTypes.MultiChoice;

    [JsonIgnore]
    public int EffectiveMaxLength => MaxLength ?? (Type == FieldTypes.Textarea ? 4000 : 500);

    public string? OptionLabel(string value) => Options?.FirstOrDefault(o => o.Value == value)?.Label;
}

public sealed record FormOption(string Value, string Label);

public static class FieldTypes
{
    public const string Text = "text";
    public const string Textarea = "textarea";
    public const string Number = "number";
    public const string Date = "date";
    public const string Boolean = "boolean";
    public const string Choice = "choice";
    public const string MultiChoice = "multi_choice";

    public static readonly IReadOnlyList<string> All = [Text, Textarea, Number, Date, Boolean, Choice, MultiChoice];
}

/// <summary>The rules a form definition must meet to be published, and the rules answers must meet to be accepted.</summary>
public static partial class FormRules
{
    public const int MaxFields = 100;

    /// <summary>Problems with a definition, keyed like <c>definition.fields[2].options</c>.</summary>
    public static FieldErrors ValidateDefinition(FormDefinition? definition, string prefix = "definition")
    {
        var errors = new FieldErrors();
        if (definition is null)
        {
            return errors.Add(prefix, "A form definition is required.");
        }

        if (string.IsNullOrWhiteSpace(definition.Title) || definition.Title.Length > 200)
        {
            errors.Add($"{prefix}.title", "Give the form a title of at most 200 characters.");
        }

        if (definition.Introduction is { Length: > 2000 })
        {
            errors.Add($"{prefix}.introduction", "Use at most 2000 characters.");
        }

        var fields = definition.Fields ?? [];
        if (fields.Count is 0 or > MaxFields)
        {
            errors.Add($"{prefix}.fields", $"A form has 1 to {MaxFields} questions.");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var mapped = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var at = $"{prefix}.fields[{i}]";
            if (f is null)
            {
                errors.Add(at, "A question is missing.");
                continue;
            }

            if (f.Key is null || !KeyPattern().IsMatch(f.Key))
            {
                errors.Add($"{at}.key", "Use lower-case letters, digits and underscores, starting with a letter (at most 50).");
            }
            else if (!keys.Add(f.Key))
            {
                errors.Add($"{at}.key", $"Another question already uses the key '{f.Key}'.");
            }

            if (string.IsNullOrWhiteSpace(f.Label) || f.Label.Length > 300)
            {
                errors.Add($"{at}.label", "Give the question a label of at most 300 characters.");
            }

            if (f.Help is { Length: > 500 })
            {
                errors.Add($"{at}.help", "Use at most 500 characters.");
            }

            if (f.Section is { Length: > 100 })
            {
                errors.Add($"{at}.section", "Use at most 100 characters.");
            }

            if (!FieldTypes.All.Contains(f.Type))
            {
                errors.Add($"{at}.type", $"Use one of: {string.Join(", ", FieldTypes.All)}.");
                continue;
            }

            ValidateOptions(f, at, errors);
            if (f.MaxLength is { } max && (max < 1 || max > 10000 || f.Type is not (FieldTypes.Text or FieldTypes.Textarea)))
            {
                errors.Add($"{at}.max_length", "Only text questions have a maximum length, from 1 to 10000.");
            }

            if ((f.Min is not null || f.Max is not null) && f.Type != FieldTypes.Number)
            {
                errors.Add($"{at}.min", "Only number questions have a minimum or maximum.");
            }
            else if (f.Min is { } min && f.Max is { } top && min > top)
            {
                errors.Add($"{at}.min", "The minimum is larger than the maximum.");
            }

            if (f.MapsTo is not null)
            {
                if (!ProfileFields.All.Contains(f.MapsTo))
                {
                    errors.Add($"{at}.maps_to", $"Use one of the profile fields: {string.Join(", ", ProfileFields.All)}.");
                }
                else if (!mapped.Add(f.MapsTo))
                {
                    errors.Add($"{at}.maps_to", $"Another question already fills in '{f.MapsTo}'.");
                }
                else if (f.MapsTo == ProfileFields.DateOfBirth ? f.Type != FieldTypes.Date : f.Type is not (FieldTypes.Text or FieldTypes.Textarea))
                {
                    errors.Add($"{at}.maps_to", f.MapsTo == ProfileFields.DateOfBirth ? "Date of birth needs a date question." : "Profile fields take text questions.");
                }
            }
        }

        return errors;
    }

    private static void ValidateOptions(FormField f, string at, FieldErrors errors)
    {
        if (!f.IsChoice)
        {
            if (f.Options is { Count: > 0 })
            {
                errors.Add($"{at}.options", "Only choice questions have options.");
            }

            return;
        }

        if (f.Options is not { Count: > 0 and <= 50 })
        {
            errors.Add($"{at}.options", "A choice question has 1 to 50 options.");
            return;
        }

        var values = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < f.Options.Count; j++)
        {
            var option = f.Options[j];
            if (option?.Value is null || !KeyPattern().IsMatch(option.Value) || !values.Add(option.Value))
            {
                errors.Add($"{at}.options[{j}].value", "Each option needs its own value: lower-case letters, digits and underscores.");
            }

            if (string.IsNullOrWhiteSpace(option?.Label) || option.Label.Length > 200)
            {
                errors.Add($"{at}.options[{j}].label", "Give the option a label of at most 200 characters.");
            }
        }
    }

    /// <summary>
    /// Checks answers against the form and returns them cleaned (trimmed text, only the form's keys, blanks dropped).
    /// Problems are keyed <c>responses.{key}</c>.
    /// </summary>
    public static (JsonObject Clean, FieldErrors Errors) ValidateResponses(FormDefinition form, JsonObject? responses, DateOnly today)
    {
        var errors = new FieldErrors();
        var clean = new JsonObject();
        responses ??= [];
        foreach (var (key, _) in responses)
        {
            if (!form.Fields.Any(f => f.Key == key))
            {
                errors.Add($"responses.{key}", "This form has no such question.");
            }
        }

        foreach (var field in form.Fields)
        {
            var at = $"responses.{field.Key}";
            var value = responses[field.Key];
            var answer = Clean(field, value, at, today, errors);
            if (answer is null)
            {
                if (field.Required && !errors.Has(at))
                {
                    errors.Add(at, field.Type == FieldTypes.Boolean ? "Tick this box to continue." : "Answer this question.");
                }

                continue;
            }

            if (field.Type == FieldTypes.Boolean && field.Required && answer.GetValue<bool>() == false)
            {
                errors.Add(at, "Tick this box to continue.");
                continue;
            }

            clean[field.Key] = answer;
        }

        return (clean, errors);
    }

    private static JsonNode? Clean(FormField field, JsonNode? value, string at, DateOnly today, FieldErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        switch (field.Type)
        {
            case FieldTypes.Text or FieldTypes.Textarea:
            {
                if (!TryString(value, out var text))
                {
                    errors.Add(at, "Answer with text.");
                    return null;
                }

                text = ProfileFields.Clean(text);
                if (text is null)
                {
                    return null;
                }

                if (text.Length > field.EffectiveMaxLength)
                {
                    errors.Add(at, $"Use at most {field.EffectiveMaxLength} characters.");
                    return null;
                }

                if (field.MapsTo is { } mapsTo && ProfileErrors(mapsTo, text, today, at, errors))
                {
                    return null;
                }

                return JsonValue.Create(text);
            }

            case FieldTypes.Date:
            {
                if (!TryString(value, out var text))
                {
                    return Invalid(errors, at, "Enter a date as year-month-day.");
                }

                if (ProfileFields.Clean(text) is not { } date)
                {
                    return null;
                }

                if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    return Invalid(errors, at, "Enter a date as year-month-day, for example 2026-03-01.");
                }

                return field.MapsTo is { } mapsTo && ProfileErrors(mapsTo, date, today, at, errors) ? null : JsonValue.Create(date);
            }

            case FieldTypes.Number:
            {
                decimal number;
                if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out decimal d))
                {
                    number = d;
                }
                else if (TryString(value, out var text))
                {
                    if (ProfileFields.Clean(text) is not { } s)
                    {
                        return null;
                    }

                    if (!decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out number))
                    {
                        return Invalid(errors, at, "Enter a number.");
                    }
                }
                else
                {
                    return Invalid(errors, at, "Enter a number.");
                }

                if ((field.Min is { } min && number < min) || (field.Max is { } max && number > max))
                {
                    return Invalid(errors, at, $"Enter a number from {field.Min?.ToString(CultureInfo.InvariantCulture) ?? "any"} to {field.Max?.ToString(CultureInfo.InvariantCulture) ?? "any"}.");
                }

                return JsonValue.Create(number);
            }

            case FieldTypes.Boolean:
                return value is JsonValue b && b.TryGetValue(out bool flag) ? JsonValue.Create(flag) : Invalid(errors, at, "Answer yes or no.");

            case FieldTypes.Choice:
            {
                if (!TryString(value, out var choice))
                {
                    return Invalid(errors, at, "Choose one of the options.");
                }

                if (ProfileFields.Clean(choice) is null)
                {
                    return null;
                }

                return field.OptionLabel(choice) is null ? Invalid(errors, at, "Choose one of the options.") : JsonValue.Create(choice);
            }

            case FieldTypes.MultiChoice:
            {
                if (value is not JsonArray array || array.Any(item => !TryString(item, out _)))
                {
                    return Invalid(errors, at, "Choose from the options.");
                }

                var chosen = array.Select(item => item!.GetValue<string>()).Distinct(StringComparer.Ordinal).ToList();
                if (chosen.Any(c => field.OptionLabel(c) is null))
                {
                    return Invalid(errors, at, "Choose from the options.");
                }

                return chosen.Count == 0 ? null : new JsonArray([.. chosen.Select(c => (JsonNode)JsonValue.Create(c))]);
            }

            default:
                return Invalid(errors, at, "This question cannot be answered.");
        }
    }

    private static bool ProfileErrors(string profileField, string value, DateOnly today, string at, FieldErrors errors)
    {
        var profileErrors = new FieldErrors();
        ProfileFields.Validate(profileField, value, today, profileErrors, at);
        if (profileErrors.IsEmpty)
        {
            return false;
        }

        foreach (var (key, messages) in profileErrors.ToError().FieldErrors!)
        {
            foreach (var message in messages)
            {
                errors.Add(key, message);
            }
        }

        return true;
    }

    private static JsonNode? Invalid(FieldErrors errors, string at, string message)
    {
        errors.Add(at, message);
        return null;
    }

    private static bool TryString(JsonNode? node, out string text)
    {
        text = "";
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            text = value.GetValue<string>();
            return true;
        }

        return false;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,49}$")]
    private static partial Regex KeyPattern();
}
