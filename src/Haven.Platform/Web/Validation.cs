namespace Haven.Platform.Web;

/// <summary>Collects field errors for checks that need more than attributes (cross-field rules, lookups).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool Has(string field) => _errors.ContainsKey(field);

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public FieldErrors When(bool condition, string field, string message) => condition ? Add(field, message) : this;

    public Error ToError() => Errors.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    /// <summary>The validation error if any field failed, otherwise null.</summary>
    public Error? AsError() => IsEmpty ? null : ToError();
}
