using Haven.Platform.Portal;

namespace Haven.Pss.Portal;

/// <summary>
/// One labelled input for <c>_Field.cshtml</c>: the label, an optional hint, and the error are tied to the input with
/// <c>aria-describedby</c>, and <c>aria-invalid</c> marks a field in error, so a screen reader announces all three.
/// </summary>
public sealed record FieldModel(string Name, string Label, string? Value, PortalForm Form)
{
    /// <summary>text, email, tel, date, number, or textarea.</summary>
    public string Type { get; init; } = "text";

    public string? Hint { get; init; }

    public bool Required { get; init; }

    public int? MaxLength { get; init; }

    public string? Autocomplete { get; init; }

    public int Rows { get; init; } = 4;

    public string? InputMode { get; init; }

    public string Id => PortalForm.IdOf(Name);

    public string? Error => Form.For(Name);

    public string? DescribedBy
    {
        get
        {
            var ids = new List<string>();
            if (Hint is not null)
            {
                ids.Add(Id + "-hint");
            }

            if (Error is not null)
            {
                ids.Add(Id + "-error");
            }

            return ids.Count == 0 ? null : string.Join(' ', ids);
        }
    }
}
