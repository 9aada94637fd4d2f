using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Haven.Platform.Web;

/// <summary>
/// Answers 404 (no route), 405 (route exists, method does not) and 415 (route exists, content type does not)
/// before authorization runs. Without this the
/// deny-by-default fallback policy, which also covers requests that match nothing, would answer 401 and so
/// tell an anonymous caller less than the truth about a path that does not exist.
/// </summary>
public static class UnmatchedRoutes
{
    // Routing answers these cases with synthetic endpoints (plain Endpoint, not RouteEndpoint) named by their status.
    private static readonly Dictionary<string, int> RejectionEndpoints = new(StringComparer.Ordinal)
    {
        ["405 HTTP Method Not Supported"] = StatusCodes.Status405MethodNotAllowed,
        ["415 HTTP Unsupported Media Type"] = StatusCodes.Status415UnsupportedMediaType,
    };

    public static IApplicationBuilder UseHavenUnmatchedRoutes(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (endpoint is not RouteEndpoint && endpoint.DisplayName is { } name && RejectionEndpoints.TryGetValue(name, out var status))
            {
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            }

            return next(context);
        });
}
