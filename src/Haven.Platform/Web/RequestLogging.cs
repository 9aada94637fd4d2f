using System.Diagnostics;
using System.Security.Claims;
using Haven.Platform.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Haven.Platform.Web;

/// <summary>
/// One structured log line per request, inside a scope carrying the request id, user id and tenant so every line the
/// request causes can be joined. Only the path is logged, never the query string (SignalR passes the access token
/// there) nor headers or bodies.
/// </summary>
public static partial class RequestLogging
{
    public static IApplicationBuilder UseHavenRequestLogging(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Haven.Request");
            var started = Stopwatch.GetTimestamp();
            var scope = new RequestScope(context);
            using (logger.BeginScope(scope))
            {
                try
                {
                    await next(context);
                }
                finally
                {
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var status = context.Response.StatusCode;
                    if (status >= 500)
                    {
                        LogRequestFailed(logger, context.Request.Method, context.Request.Path.Value ?? "/", status, elapsed);
                    }
                    else
                    {
                        LogRequest(logger, context.Request.Method, context.Request.Path.Value ?? "/", status, elapsed);
                    }
                }
            }
        });

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequestFailed(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    /// <summary>Read lazily, so the user and tenant appear once authentication has run further down the pipeline.</summary>
    private sealed class RequestScope(HttpContext context) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private KeyValuePair<string, object?>[] Items =>
        [
            new("RequestId", context.TraceIdentifier),
            new("UserId", context.User.FindFirstValue(HavenClaims.UserId)),
            new("TenantId", string.Join(",", context.User.FindAll(HavenClaims.Role)
                .Select(c => RoleGrant.Parse(c.Value).TenantId).OfType<Guid>().Distinct()) is { Length: > 0 } tenants ? tenants : null),
        ];

        public int Count => 3;

        public KeyValuePair<string, object?> this[int index] => Items[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Items).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{context.TraceIdentifier}";
    }
}
