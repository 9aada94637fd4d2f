using Haven.Platform.Web;

namespace Haven.Pss.Portal;

/// <summary>
/// What a portal form shows after a submission failed: the error for each field (keyed by the field's API name, which
/// is also the input's name and id) and a summary. The services return the same <see cref="Error"/> the API renders, so
/// the pages and the API say the same thing.
/// </summary>
public sealed class FormState
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    public bool HasErrors => _fields.Count > 0 || Summary is not null;

    /// <summary>A problem that belongs to no single field (a conflict, a form that changed).</summary>
    public string? Summary { get; private set; }

    public IReadOnlyDictionary<string, string> Fields => _fields;

    public string? For(string field) => _fields.GetValueOrDefault(field);

    public void Add(string field, string message) => _fields.TryAdd(field, message);

    public void Fail(Error error)
    {
        if (error.FieldErrors is { Count: > 0 } fields)
        {
            foreach (var (field, messages) in fields)
            {
                Add(field, string.Join(" ", messages));
            }
        }
        else
        {
            Summary = error.Detail is null ? error.Title : $"{error.Title} {error.Detail}";
        }
    }

    /// <summary>The element id of a field's input: the field name with characters ids should not carry replaced.</summary>
    public static string IdOf(string field) => "f-" + field.Replace('.', '-').Replace('[', '-').Replace(']', '-');
}
