using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Haven.Pss.Data;

/// <summary>
/// The fixed set of moods: wire and column names (snake_case, as JSON writes the enum), labels for people, and the
/// rule for what counts as a low mood.
/// </summary>
public static class Moods
{
    public static readonly IReadOnlyList<Mood> All = [Mood.VeryLow, Mood.Low, Mood.Okay, Mood.Good, Mood.VeryGood];

    private static readonly FrozenDictionary<Mood, string> Names = new Dictionary<Mood, string>
    {
        [Mood.VeryLow] = "very_low",
        [Mood.Low] = "low",
        [Mood.Okay] = "okay",
        [Mood.Good] = "good",
        [Mood.VeryGood] = "very_good",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Mood> Values = Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string Name(Mood mood) => Names[mood];

    public static string Label(Mood mood) => mood switch
    {
        Mood.VeryLow => "Very low",
        Mood.Low => "Low",
        Mood.Okay => "Okay",
        Mood.Good => "Good",
        Mood.VeryGood => "Very good",
        _ => mood.ToString(),
    };

    public static bool TryParse(string? name, out Mood mood)
    {
        mood = default;
        return name is not null && Values.TryGetValue(name, out mood);
    }

    public static Mood Parse(string name) => TryParse(name, out var mood) ? mood : throw new FormatException($"'{name}' is not a mood.");

    /// <summary>Low and very low: what the check-in rule counts.</summary>
    public static bool IsLow(Mood mood) => mood <= Mood.Low;

    public static int Score(Mood mood) => (int)mood;

    /// <summary>The column's CHECK constraint, word for word as in the migration.</summary>
    public const string CheckSql = "mood IN ('very_low', 'low', 'okay', 'good', 'very_good')";

    public static ValueConverter<Mood, string> Converter { get; } = new(m => Name(m), s => Parse(s));
}
