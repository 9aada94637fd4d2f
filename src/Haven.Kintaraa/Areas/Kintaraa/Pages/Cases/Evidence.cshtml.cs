using Haven.Kintaraa.Evidence;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Files;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Cases;

/// <summary>
/// The case page's evidence upload, without JavaScript: a plain multipart form whose file streams into the file store
/// as it arrives (never buffered to memory or a plaintext temp file, as the API's upload). Model binding and the
/// automatic antiforgery check would read the whole form first, so this page binds nothing and checks the token itself:
/// the form sends the token and its small fields before the file, and nothing is stored unless the token is valid and
/// the caller works the case. Failures come back to the case page's error summary by a code in the redirect.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Provider)]
[IgnoreAntiforgeryToken(Order = 1001)]
public sealed class EvidenceModel(EvidenceService evidence, IFileStore files, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions) : PageModel
{
    /// <summary>The longest small field read (the description allows 1000 characters; one more shows it was too long).</summary>
    public const int MaxFieldChars = 1001;

    public IActionResult OnGet() => Redirect($"/kintaraa/cases/{CaseId}#evidence");

    /// <summary>Takes no parameters on purpose: binding any would read the whole form before this runs.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        var id = CaseId;
        var cancellationToken = HttpContext.RequestAborted;
        if (FileUploads.AllowBody(Request, EvidenceEndpoints.FileUseName) is not null)
        {
            return Back(id, "too_large");
        }

        if (!MediaTypeHeaderValue.TryParse(Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return BadRequest();
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new MultipartReader(boundary, Request.Body);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var part))
            {
                continue;
            }

            if (!part.IsFileDisposition())
            {
                fields[HeaderUtilities.RemoveQuotes(part.Name).Value ?? ""] = await ReadFieldAsync(section.Body, cancellationToken);
                continue;
            }

            if (!await ValidTokenAsync(fields))
            {
                return BadRequest();
            }

            var fileName = part.FileNameStar.HasValue ? part.FileNameStar.Value : HeaderUtilities.RemoveQuotes(part.FileName).Value;
            if (string.IsNullOrEmpty(fileName))
            {
                return Back(id, "no_file");
            }

            var evidenceId = Guid.TryParse(fields.GetValueOrDefault("evidence_id"), out var given) ? given : (Guid?)null;
            var result = await evidence.UploadAsync(id, evidenceId, fields.GetValueOrDefault("description"),
                (save, ct) => files.SaveAsync(save with { FileName = fileName }, section.Body, ct), cancellationToken);
            if (result.Error is { Status: 404 })
            {
                return NotFound();
            }

            return result.Error is { } error ? Back(id, CodeOf(error)) : Redirect($"/kintaraa/cases/{id}?done=evidence#evidence");
        }

        return await ValidTokenAsync(fields) ? Back(id, "no_file") : BadRequest();
    }

    /// <summary>What the case page's error summary says for a failed upload's code (codes only travel, never text).</summary>
    public static string Explain(string code) => code switch
    {
        "too_large" => "The file is too large to keep as evidence. Send a smaller or shorter copy.",
        "type" => "This kind of file is not accepted as evidence. Use a photo, audio, video, PDF, Word document or plain text.",
        "no_file" => "Choose a file to upload.",
        "empty" => "The file is empty.",
        "description" => "Keep the description to 1000 characters.",
        "closed" => "The case is closed; evidence can no longer be added.",
        _ => "The upload did not work. Try again.",
    };

    private Guid CaseId => Guid.Parse((string)RouteData.Values["id"]!);

    private static string CodeOf(Error error) => error.Code switch
    {
        "payload_too_large" => "too_large",
        "file_type_not_allowed" or "unsupported_media_type" => "type",
        "case_closed" => "closed",
        _ when error.FieldErrors?.ContainsKey("description") == true => "description",
        _ when error.FieldErrors?.ContainsKey("file") == true => "empty",
        _ => "failed",
    };

    /// <summary>No fragment: scrolling to one would take focus back from the error summary the page focuses.</summary>
    private RedirectResult Back(Guid id, string code) => Redirect($"/kintaraa/cases/{id}?upload_error={code}");

    /// <summary>Checks the form's token as the header it would be from a script, so the check never reads the form itself.</summary>
    private async Task<bool> ValidTokenAsync(Dictionary<string, string> fields)
    {
        if (antiforgeryOptions.Value.FormFieldName is not { } field || fields.GetValueOrDefault(field) is not { Length: > 0 } token
            || antiforgeryOptions.Value.HeaderName is not { } header)
        {
            return false;
        }

        Request.Headers[header] = token;
        return await antiforgery.IsRequestValidAsync(HttpContext);
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(body, leaveOpen: true);
        var buffer = new char[MaxFieldChars];
        var read = 0;
        int count;
        while (read < buffer.Length && (count = await text.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += count;
        }

        return new string(buffer, 0, read);
    }
}
