using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Haven.Platform.Web;

/// <summary>
/// An expected failure as a value: a stable machine-readable <see cref="Code"/>, the HTTP status it maps to,
/// and a human title. Handlers return these; <see cref="ToProblem"/> renders RFC 9457 problem details once,
/// the same way everywhere.
/// </summary>
public sealed record Error(string Code, int Status, string Title, string? Detail = null)
{
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }

    /// <summary>Extra members of the problem document (e.g. the server's current version on a conflict).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    public ProblemHttpResult ToProblem()
    {
        var extensions = new Dictionary<string, object?> { ["code"] = Code };
        if (Extensions is not null)
        {
            foreach (var (key, value) in Extensions)
            {
                extensions[key] = value;
            }
        }

        if (FieldErrors is not null)
        {
            extensions["errors"] = FieldErrors;
        }

        return TypedResults.Problem(detail: Detail, statusCode: Status, title: Title, extensions: extensions);
    }
}

/// <summary>The common errors; modules define their own beside their features.</summary>
public static class Errors
{
    /// <summary>404 for a record that does not exist or that the caller may not know exists: the two look the same.</summary>
    public static Error NotFound(string what) => new("not_found", StatusCodes.Status404NotFound, $"{what} was not found.");

    public static Error Validation(IReadOnlyDictionary<string, string[]> fieldErrors) =>
        new("validation_failed", StatusCodes.Status400BadRequest, "One or more fields are invalid.") { FieldErrors = fieldErrors };

    public static Error Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static Error Conflict(string code, string title, string? detail = null) =>
        new(code, StatusCodes.Status409Conflict, title, detail);

    public static Error Forbidden(string code, string title) => new(code, StatusCodes.Status403Forbidden, title);

    public static Error Unauthenticated(string code = "unauthenticated", string title = "Authentication is required.") =>
        new(code, StatusCodes.Status401Unauthorized, title);

    public static Error TooLarge(string title) => new("payload_too_large", StatusCodes.Status413PayloadTooLarge, title);

    public static Error UnsupportedMediaType(string title) =>
        new("unsupported_media_type", StatusCodes.Status415UnsupportedMediaType, title);
}

/// <summary>
/// For the rare deep code path where returning an <see cref="Error"/> value is impractical; the exception handler
/// renders it exactly like a returned error. Prefer returning the value.
/// </summary>
public sealed class ErrorException(Error error) : Exception(error.Title)
{
    public Error Error { get; } = error;
}
