using System.Globalization;
using System.Text;
using Haven.Pss.Intake;
using Microsoft.AspNetCore.Http;

namespace Haven.Pss.Portal;

/// <summary>One question as the form editor shows it: plain text inputs, options one per line (<c>value: Label</c>).</summary>
public sealed record QuestionInput(string Key, string Label, string Type, bool Required, string Help, string Options, string MapsTo, string Section);

/// <summary>
/// The intake form editor's state, posted whole on every button (add a question, move, remove, publish), so it works
/// without JavaScript. Inputs are named like the API's error keys (<c>definition.fields[2].label</c>), so each problem
/// the form rules find appears beside its input.
/// </summary>
public sealed record FormEditor(string Title, string Introduction, IReadOnlyList<QuestionInput> Questions)
{
    public const string Prefix = "definition";

    public static string Name(int index, string part) => $"{Prefix}.fields[{index}].{part}";

    public static FormEditor From(FormDefinition definition) => new(
        definition.Title,
        definition.Introduction ?? "",
        [.. definition.Fields.Select(f => new QuestionInput(
            f.Key, f.Label, f.Type, f.Required, f.Help ?? "",
            string.Join("\n", (f.Options ?? []).Select(o => $"{o.Value}: {o.Label}")),
            f.MapsTo ?? "", f.Section ?? ""))]);

    public static FormEditor Read(IFormCollection form)
    {
        var count = int.TryParse(form["question_count"], out var n) ? Math.Clamp(n, 0, FormRules.MaxFields + 1) : 0;
        var questions = new List<QuestionInput>();
        for (var i = 0; i < count; i++)
        {
            questions.Add(new QuestionInput(
                form[Name(i, "key")].ToString().Trim(),
                form[Name(i, "label")].ToString().Trim(),
                form[Name(i, "type")].ToString(),
                form[Name(i, "required")].Contains("true"),
                form[Name(i, "help")].ToString().Trim(),
                form[Name(i, "options")].ToString(),
                form[Name(i, "maps_to")].ToString(),
                form[Name(i, "section")].ToString().Trim()));
        }

        return new FormEditor(form[$"{Prefix}.title"].ToString().Trim(), form[$"{Prefix}.introduction"].ToString().Trim(), questions);
    }

    public FormEditor Add() => this with { Questions = [.. Questions, new QuestionInput("", "", FieldTypes.Text, false, "", "", "", Questions.LastOrDefault()?.Section ?? "")] };

    public FormEditor Remove(int index) => index < 0 || index >= Questions.Count ? this : this with { Questions = [.. Questions.Where((_, i) => i != index)] };

    public FormEditor Move(int index, int by)
    {
        var target = index + by;
        if (index < 0 || index >= Questions.Count || target < 0 || target >= Questions.Count)
        {
            return this;
        }

        var list = Questions.ToList();
        (list[index], list[target]) = (list[target], list[index]);
        return this with { Questions = list };
    }

    /// <summary>The definition to publish: a missing key or option value is made from its label.</summary>
    public FormDefinition ToDefinition() => new(
        Title,
        Introduction.Length == 0 ? null : Introduction,
        [.. Questions.Select(q =>
        {
            var options = q.Options.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ParseOption).ToList();
            return new FormField(
                q.Key.Length > 0 ? q.Key : Slug(q.Label),
                q.Label,
                q.Type,
                q.Required,
                q.Help.Length == 0 ? null : q.Help,
                options.Count == 0 ? null : options,
                MapsTo: q.MapsTo.Length == 0 ? null : q.MapsTo,
                Section: q.Section.Length == 0 ? null : q.Section);
        })]);

    /// <summary>Problems with an option line belong to the options box; other keys stay as they are.</summary>
    public static string InputFor(string errorKey)
    {
        var options = errorKey.IndexOf(".options[", StringComparison.Ordinal);
        return options < 0 ? errorKey : errorKey[..(options + ".options".Length)];
    }

    private static FormOption ParseOption(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? new FormOption(line[..colon].Trim(), line[(colon + 1)..].Trim()) : new FormOption(Slug(line), line);
    }

    /// <summary>"Which week do you start?" → "which_week_do_you_start".</summary>
    public static string Slug(string label)
    {
        var slug = new StringBuilder();
        foreach (var c in label.ToLowerInvariant().Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '_')
            {
                slug.Append('_');
            }
        }

        var text = slug.ToString().Trim('_');
        text = text.Length > 0 && char.IsAsciiLetter(text[0]) ? text : "q_" + text;
        return text.Length > 50 ? text[..50].TrimEnd('_') : text;
    }
}
