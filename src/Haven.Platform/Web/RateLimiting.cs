using System.Globalization;
using System.Security.Claims;
using Haven.Platform.Identity;
using System.Threading.RateLimiting;
using Haven.Platform.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Web;

/// <summary>
/// A fixed window per signed-in user, or per client address for anonymous callers (default 100 requests a minute
/// each). Counters live in process: with several instances each enforces the limit for the requests it serves,
/// which bounds a caller at N×limit — acceptable for abuse control, and it keeps PostgreSQL off the hot path.
/// Health probes and static files are not counted.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddHavenRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var web = http.RequestServices.GetRequiredService<IOptionsMonitor<HavenWebOptions>>().CurrentValue;
                if (http.Request.Path.StartsWithSegments("/health"))
                {
                    return RateLimitPartition.GetNoLimiter("health");
                }

                var user = http.User.FindFirstValue(HavenClaims.UserId);
                return user is not null
                    ? Window("user:" + user, web.RateLimitPerUserPerMinute)
                    : Window("address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), web.RateLimitPerAddressPerMinute);
            });

            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Detail = $"Too many requests; try again in {seconds} seconds.",
                    },
                });
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Window(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
