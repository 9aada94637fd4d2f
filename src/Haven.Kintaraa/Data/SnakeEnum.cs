using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Haven.Kintaraa.Data;

/// <summary>
/// The snake_case names of an enum's values, the same ones JSON uses (<c>InProgress</c> ↔ <c>in_progress</c>), so the
/// database, the API and the SQL CHECK constraints all speak one vocabulary.
/// </summary>
public static class SnakeEnum<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<T, string> Names =
        Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

    private static readonly FrozenDictionary<string, T> Values =
        Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All => Names.Values;

    public static string Name(T value) => Names[value];

    public static T Parse(string name) =>
        Values.TryGetValue(name, out var value) ? value : throw new FormatException($"'{name}' is not a {typeof(T).Name}.");

    public static bool TryParse(string? name, out T value)
    {
        value = default;
        return name is not null && Values.TryGetValue(name, out value);
    }

    public static ValueConverter<T, string> Converter { get; } = new(v => Name(v), s => Parse(s));
}

public static class SnakeEnumColumns
{
    /// <summary>Stores the enum as its snake_case name in a varchar column.</summary>
    public static PropertyBuilder<T> HasSnakeEnum<T>(this PropertyBuilder<T> property, int maxLength = 32) where T : struct, Enum =>
        property.HasConversion(SnakeEnum<T>.Converter).HasMaxLength(maxLength);

    public static PropertyBuilder<T?> HasSnakeEnum<T>(this PropertyBuilder<T?> property, int maxLength = 32) where T : struct, Enum =>
        property.HasConversion(SnakeEnum<T>.Converter).HasMaxLength(maxLength);
}
