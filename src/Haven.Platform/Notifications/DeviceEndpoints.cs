using System.ComponentModel.DataAnnotations;
using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Haven.Platform.Notifications;

/// <param name="Token">The FCM registration token of this app installation.</param>
/// <param name="Platform"><c>android</c>, <c>ios</c> or <c>web</c>.</param>
public sealed record RegisterDeviceRequest(
    [property: Required, StringLength(512, MinimumLength = 16)] string Token,
    [property: Required, AllowedValues("android", "ios", "web")] string Platform);

/// <summary>A registered device; the token itself is never echoed back.</summary>
public sealed record DeviceView(Guid Id, string Platform, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

public sealed record DeviceList(IReadOnlyList<DeviceView> Items, int Total);

/// <summary>Push registrations of the signed-in user. Another user's device answers 404.</summary>
public static class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapHavenDevices(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/devices").WithTags("Notifications").RequireAuthorization(HavenPolicies.SignedIn);
        group.MapPost("", RegisterAsync).WithName("RegisterDevice")
            .WithSummary("Registers this app installation for push. Idempotent per token; a token registered by another account moves to the caller.");
        group.MapGet("", ListAsync).WithName("ListDevices").WithSummary("The caller's registered devices.");
        group.MapDelete("/{id:guid}", DeleteAsync).WithName("UnregisterDevice").WithSummary("Stops push to a device (e.g. at sign-out).");
        return endpoints;
    }

    private static async Task<Results<Created<DeviceView>, Ok<DeviceView>, ProblemHttpResult>> RegisterAsync(
        RegisterDeviceRequest request, ICurrentUser user, NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        // One statement, so a retried or concurrent registration of the same token cannot create a second row. The
        // phone is whoever signed in last: a token that belonged to another account moves (that account stops
        // receiving pushes on a phone it no longer uses).
        await using var command = dataSource.CreateCommand("""
            INSERT INTO platform.devices (id, user_id, platform, token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)
            ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, platform = excluded.platform, last_seen_at = excluded.last_seen_at,
                created_at = CASE WHEN platform.devices.user_id = excluded.user_id THEN platform.devices.created_at ELSE excluded.created_at END
            RETURNING id, created_at, (xmax = 0) AS inserted
            """);
        var now = clock.GetUtcNow();
        command.Parameters.Add(new() { Value = Guid.CreateVersion7(now) });
        command.Parameters.Add(new() { Value = me });
        command.Parameters.Add(new() { Value = request.Platform });
        command.Parameters.Add(new() { Value = request.Token });
        command.Parameters.Add(new() { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var view = new DeviceView(reader.GetGuid(0), request.Platform, reader.GetFieldValue<DateTimeOffset>(1), now);
        return reader.GetBoolean(2) ? TypedResults.Created($"/api/devices/{view.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<DeviceList>, ProblemHttpResult>> ListAsync(ICurrentUser user, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        var devices = await db.Set<Device>().AsNoTracking().Where(d => d.UserId == me).OrderBy(d => d.CreatedAt)
            .Select(d => new DeviceView(d.Id, d.Platform, d.CreatedAt, d.LastSeenAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new DeviceList(devices, devices.Count));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ICurrentUser user, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        var deleted = await db.Set<Device>().Where(d => d.Id == id && d.UserId == me).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? Errors.NotFound("Device").ToProblem() : TypedResults.NoContent();
    }
}
