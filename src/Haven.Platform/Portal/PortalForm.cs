using Haven.Platform.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Haven.Platform.Portal;

/// <summary>
/// What a portal form shows after a failed submission: each field's error (keyed by the field's API name, which is also
/// the input's name) and a summary for a problem that belongs to no single field. The services return the same
/// <see cref="Error"/> the API renders, so every module's pages and its API say the same thing.
/// </summary>
public sealed class PortalForm
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    public bool HasErrors => _fields.Count > 0 || Summary is not null;

    /// <summary>A problem that belongs to no single field (a conflict, a form that changed).</summary>
    public string? Summary { get; private set; }

    public IReadOnlyDictionary<string, string> Fields => _fields;

    public string? For(string field) => _fields.GetValueOrDefault(field);

    public void Add(string field, string message) => _fields.TryAdd(field, message);

    /// <summary>Takes a service's error: its field errors, or else its title and detail as the summary.</summary>
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

    public static PortalForm Failed(Error error)
    {
        var form = new PortalForm();
        form.Fail(error);
        return form;
    }

    /// <summary>The form state for an action answered with problem details (the modules' endpoint helpers answer so).</summary>
    public static PortalForm Failed(ProblemHttpResult problem)
    {
        var details = problem.ProblemDetails;
        var fields = details.Extensions.TryGetValue("errors", out var errors) ? errors as IReadOnlyDictionary<string, string[]> : null;
        return Failed(new Error("problem", problem.StatusCode, details.Title ?? "That did not work.", details.Detail) { FieldErrors = fields });
    }

    /// <summary>Problem details as one sentence for a message at the top of the page.</summary>
    public static string Describe(ProblemHttpResult problem) =>
        problem.ProblemDetails.Detail is { } detail ? $"{problem.ProblemDetails.Title} {detail}" : problem.ProblemDetails.Title ?? "That did not work.";

    /// <summary>The element id of a field's input on a page with one form: characters ids should not carry replaced.</summary>
    public static string IdOf(string field) => "f-" + field.Replace('.', '-').Replace('[', '-').Replace(']', '-');

    /// <summary>The element id of a field's input in the form named <paramref name="form"/>, on a page with several.</summary>
    public static string IdOf(string form, string field) => $"{form}-{field.Replace('.', '-').Replace('_', '-')}";
}
