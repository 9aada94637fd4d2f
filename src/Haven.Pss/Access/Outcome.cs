using Haven.Platform.Web;

namespace Haven.Pss.Access;

/// <summary>A value, or the expected failure that prevented it (rendered once as problem details or a page message).</summary>
public readonly record struct Outcome<T>(T? Value, Error? Error)
{
    public bool Failed => Error is not null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Error error) => new(default, error);
}
