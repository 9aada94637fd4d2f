using Haven.Platform.Audit;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Haven.Platform.Files;

/// <summary>How a download is presented.</summary>
public sealed record FileDownloadOptions
{
    /// <summary>Let the browser show it in place (images, audio, video only; everything else is always an attachment).</summary>
    public bool Inline { get; init; }

    /// <summary>The name offered to the browser; the stored name when null.</summary>
    public string? FileName { get; init; }
}

/// <summary>
/// What module endpoints return to serve a stored file, after the module has decided the caller may see it:
/// <code>
/// if (evidence is null || !CanSee(user, evidence)) return Errors.NotFound("Evidence").ToProblem();
/// return FileResults.Download(evidence.FileId, new AuditEvent("kintaraa.evidence.downloaded", "evidence", evidence.Id));
/// </code>
/// The platform records the audit entry (before any byte is sent; with the file id and the range in the note), then
/// streams with single-range support (<c>206</c>/<c>416</c> for video seeking), a strong ETag (the content's SHA-256,
/// so <c>If-None-Match</c> and <c>If-Range</c> work), <c>Cache-Control: private, no-store</c>, a safe RFC 6266
/// Content-Disposition and a sandboxing CSP. A missing file answers 404, a quarantined one 409 <c>file_quarantined</c>.
/// </summary>
public static partial class FileResults
{
    public static IResult Download(Guid fileId, AuditEvent auditEvent, FileDownloadOptions? options = null) =>
        new DownloadResult(fileId, auditEvent, options ?? new FileDownloadOptions());

    private sealed partial class DownloadResult(Guid fileId, AuditEvent auditEvent, FileDownloadOptions options) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var store = http.RequestServices.GetRequiredService<FileStore>();
            var audit = http.RequestServices.GetRequiredService<IAuditTrail>();
            var cancellationToken = http.RequestAborted;
            var (file, content) = await store.OpenAsync(fileId, cancellationToken);
            if (file is null)
            {
                await Errors.NotFound("File").ToProblem().ExecuteAsync(http);
                return;
            }

            if (content is null)
            {
                await Errors.Conflict("file_quarantined", "This file is held by a security check and cannot be downloaded.").ToProblem().ExecuteAsync(http);
                return;
            }

            await using (content)
            {
                var range = http.Request.Headers.Range.ToString();
                var note = $"file {file.Id:D}" + (range.Length > 0 ? $", range {Truncate(range, 100)}" : "");
                await audit.AppendAsync(auditEvent with { Note = auditEvent.Note is null ? note : $"{auditEvent.Note} ({note})" }, cancellationToken);

                var inline = options.Inline && (FileTypes.All.FirstOrDefault(t => t.MediaType == file.ContentType)?.MayDisplayInline ?? false);
                var headers = http.Response.Headers;
                headers.CacheControl = "private, no-store";
                headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'";
                headers.XContentTypeOptions = "nosniff";
                headers.ContentDisposition = FileNames.ContentDisposition(options.FileName ?? file.FileName, inline);
                var result = TypedResults.Stream(
                    content,
                    file.ContentType,
                    fileDownloadName: null,
                    lastModified: file.CreatedAt,
                    entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""),
                    enableRangeProcessing: true);
                try
                {
                    await result.ExecuteAsync(http);
                }
                catch (FileIntegrityException e)
                {
                    // Nothing unauthenticated was sent; the client sees an error, or a cut connection if bytes had gone out.
                    LogIntegrityFailure(http.RequestServices.GetRequiredService<ILogger<FileStore>>(), e, file.Id);
                    if (http.Response.HasStarted)
                    {
                        http.Abort();
                    }
                    else
                    {
                        // Drop the 206/200 status, length and range headers already set for the content.
                        http.Response.Clear();
                        await new Error("file_integrity_failed", StatusCodes.Status500InternalServerError,
                            "The stored file failed its integrity check and was not served.").ToProblem().ExecuteAsync(http);
                    }
                }
            }
        }

        private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

        [LoggerMessage(EventId = 4304, Level = LogLevel.Error, Message = "Stored file {FileId} failed its integrity check while being served")]
        private static partial void LogIntegrityFailure(ILogger logger, Exception exception, Guid fileId);
    }
}

/// <summary>Reading uploads from requests without buffering them (never to memory, never to a plaintext temp file).</summary>
public static class FileUploads
{
    private const long MultipartOverhead = 64 * 1024;

    /// <summary>
    /// Lifts the request size limit to the file use's limit (plus multipart framing) for this request only, or refuses a
    /// request that says it is larger. Call before reading the body; <see cref="SaveFromRequestAsync"/> does.
    /// </summary>
    public static Error? AllowBody(HttpRequest request, string use)
    {
        var fileUse = request.HttpContext.RequestServices.GetRequiredService<FileUses>().Get(use);
        var limit = fileUse.MaxBytes + MultipartOverhead;
        if (request.ContentLength > limit)
        {
            return Errors.TooLarge($"Files here may be at most {fileUse.MaxBytes / (1024 * 1024)} MiB.");
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        return null;
    }

    /// <summary>
    /// Stores the file a request carries, streaming: either <c>multipart/form-data</c> (the first part with a file name,
    /// as browsers and mobile clients send it) or the raw body (name from <c>?file_name=</c> or the request's
    /// Content-Disposition). Lifts the request size limit to the use's limit for this request only.
    /// </summary>
    public static async Task<FileSaveResult> SaveFromRequestAsync(
        this IFileStore store, HttpRequest request, FileSaveRequest save, CancellationToken cancellationToken = default)
    {
        if (AllowBody(request, save.Use) is { } tooLarge)
        {
            return FileSaveResult.Failed(tooLarge);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var name = request.Query["file_name"].ToString();
            if (name.Length == 0 && ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var disposition))
            {
                name = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value! : HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "";
            }

            return await store.SaveAsync(save with { FileName = save.FileName ?? name }, request.Body, cancellationToken);
        }

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return FileSaveResult.Failed(Errors.Validation("file", "The multipart body has no boundary."));
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var part) && part.IsFileDisposition())
            {
                var name = part.FileNameStar.HasValue ? part.FileNameStar.Value : HeaderUtilities.RemoveQuotes(part.FileName).Value;
                return await store.SaveAsync(save with { FileName = save.FileName ?? name }, section.Body, cancellationToken);
            }
        }

        return FileSaveResult.Failed(Errors.Validation("file", "The form has no file part."));
    }
}

/// <summary>A stored file as upload endpoints answer it (snake_case JSON).</summary>
public sealed record StoredFileResponse(Guid Id, string FileName, string ContentType, long Length, string Sha256, FileStatus Status, DateTimeOffset CreatedAt)
{
    public static StoredFileResponse From(StoredFile file) =>
        new(file.Id, file.FileName, file.ContentType, file.Length, file.Sha256, file.Status, file.CreatedAt);
}
