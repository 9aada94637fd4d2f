using System.Text.Json;
using Haven.Platform.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Haven.Platform.Web;

/// <summary>
/// <c>/health/live</c>: the process answers (no dependencies checked, so a slow database never gets the process killed).
/// <c>/health/ready</c>: every check tagged <see cref="ReadyTag"/> passes — the database and file storage.
/// </summary>
public static class HealthSetup
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddHavenHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddDbContextCheck<PlatformDbContext>("database", tags: [ReadyTag]);

    public static IEndpointRouteBuilder MapHavenHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous("liveness probe for load balancers");
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous("readiness probe for load balancers");
        return endpoints;
    }

    // Names and states only: a probe must not learn connection strings or exception messages.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
        }));
    }
}
