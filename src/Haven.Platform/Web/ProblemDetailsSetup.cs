using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Haven.Platform.Web;

/// <summary>
/// Every error Haven answers is RFC 9457 problem+json with a stable <c>code</c> and a <c>traceId</c> — whether a
/// handler returned an <see cref="Error"/>, routing found nothing (404/405), Kestrel refused a body (413),
/// the rate limiter refused (429) or something crashed (500).
/// </summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddHavenProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Status = status;
            if (!problem.Extensions.ContainsKey("code"))
            {
                problem.Extensions["code"] = problem is HttpValidationProblemDetails ? "validation_failed" : CodeFor(status);
            }

            if (problem is HttpValidationProblemDetails validation)
            {
                SnakeCaseFieldNames(validation.Errors);
            }

            problem.Title ??= TitleFor(status);
            // One trace id, named as the API documents it (ASP.NET would add its own under the JSON naming policy's name).
            problem.Extensions.Remove("trace_id");
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            problem.Instance ??= context.HttpContext.Request.Path;
        });

        // The default writer declines when the client's Accept header names neither JSON nor */*; Haven still answers problem+json.
        services.AddSingleton<IProblemDetailsWriter, FallbackProblemDetailsWriter>();
        services.AddExceptionHandler<HavenExceptionHandler>();
        return services;
    }

    public static IApplicationBuilder UseHavenErrorHandling(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // HavenExceptionHandler logs with request context; the middleware's own log line would be a duplicate.
            SuppressDiagnosticsCallback = _ => true,
            StatusCodeSelector = _ => StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails { Status = http.Response.StatusCode, Detail = DetailFor(http) },
            });
        });
        return app;
    }

    // Built-in validation names fields after C# properties (DeviceSecret, Items[0].Name); clients sent and read
    // snake_case JSON (device_secret, items[0].name), so the error must name the field the way the client wrote it.
    private static void SnakeCaseFieldNames(IDictionary<string, string[]> errors)
    {
        foreach (var key in errors.Keys.ToList())
        {
            var renamed = string.Join('.', key.Split('.').Select(segment =>
            {
                var bracket = segment.IndexOf('[');
                return bracket < 0
                    ? JsonNamingPolicy.SnakeCaseLower.ConvertName(segment)
                    : JsonNamingPolicy.SnakeCaseLower.ConvertName(segment[..bracket]) + segment[bracket..];
            }));
            if (renamed != key)
            {
                var messages = errors[key];
                errors.Remove(key);
                errors[renamed] = errors.TryGetValue(renamed, out var existing) ? [.. existing, .. messages] : messages;
            }
        }
    }

    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        411 => "length_required",
        412 => "precondition_failed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        416 => "range_not_satisfiable",
        422 => "unprocessable",
        429 => "rate_limited",
        500 => "internal_error",
        503 => "unavailable",
        _ => $"http_{status}",
    };

    private static string TitleFor(int status) => status switch
    {
        400 => "The request is not valid.",
        401 => "Authentication is required.",
        403 => "You may not do this.",
        404 => "Nothing was found here.",
        405 => "This method is not allowed here.",
        413 => "The request body is too large.",
        415 => "This content type is not supported here.",
        429 => "Too many requests.",
        500 => "Something went wrong on our side.",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };

    private static string? DetailFor(HttpContext http) => http.Response.StatusCode switch
    {
        404 => $"No resource matches {http.Request.Method} {http.Request.Path}.",
        405 => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
        415 => $"Content type '{http.Request.ContentType}' is not accepted here.",
        _ => null,
    };

    private sealed class FallbackProblemDetailsWriter : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var response = context.HttpContext.Response;
            return new ValueTask(response.WriteAsJsonAsync(
                context.ProblemDetails, context.ProblemDetails.GetType(), (JsonSerializerOptions?)null, "application/problem+json"));
        }
    }
}

/// <summary>Turns exceptions into problem details: expected ones with their own status, anything else 500 without internals.</summary>
internal sealed partial class HavenExceptionHandler(IProblemDetailsService problems, ILogger<HavenExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return true;
        }

        var problem = exception switch
        {
            ErrorException e => ToProblem(e.Error),
            BadHttpRequestException { StatusCode: 413 } => ToProblem(Errors.TooLarge("The request body is larger than this endpoint accepts.")),
            BadHttpRequestException { InnerException: JsonException json } => ToProblem(InvalidJson(json)),
            BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Detail = SafeDetail(e) },
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(logger, exception, http.Request.Method, http.Request.Path, http.TraceIdentifier);
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError };
        }

        http.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails ToProblem(Error error)
    {
        var problem = new ProblemDetails { Status = error.Status, Title = error.Title, Detail = error.Detail };
        problem.Extensions["code"] = error.Code;
        if (error.FieldErrors is not null)
        {
            problem.Extensions["errors"] = error.FieldErrors;
        }

        foreach (var (key, value) in error.Extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    // JsonException messages name .NET types; report only where in the document the problem is.
    private static Error InvalidJson(JsonException json)
    {
        var field = json.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
        return new Error("invalid_json", 400, "The request body is not valid JSON for this endpoint.")
        {
            FieldErrors = new Dictionary<string, string[]> { [field] = ["This value has the wrong type or format."] },
        };
    }

    // Framework messages for malformed requests are fixed strings about the request, never about server internals.
    private static string SafeDetail(BadHttpRequestException e) =>
        e.Message.Contains("Haven.", StringComparison.Ordinal) ? "The request could not be read." : e.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path} (request {RequestId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string requestId);
}
