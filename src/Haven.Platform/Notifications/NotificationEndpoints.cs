using System.ComponentModel.DataAnnotations;
using Haven.Platform.Data;
using Haven.Platform.Events;
using Haven.Platform.Identity;
using Haven.Platform.Realtime;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Notifications;

public sealed record NotificationPage(IReadOnlyList<NotificationView> Items, int Total, int Page, int PageSize, int UnreadCount);

public sealed record UnreadCountView(int UnreadCount);

public sealed record MarkedRead(int Marked, int UnreadCount);

public sealed record PreferenceView(string Category, string Title, bool PushEnabled);

public sealed record PreferenceList(IReadOnlyList<PreferenceView> Items);

public sealed record PreferenceChange([property: Required, StringLength(64)] string Category, bool PushEnabled);

public sealed record UpdatePreferencesRequest([property: Required, MinLength(1), MaxLength(100)] IReadOnlyList<PreferenceChange> Items);

/// <summary>The signed-in user's notification list and push preferences. Another user's notification answers 404.</summary>
public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapHavenNotifications(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization(HavenPolicies.SignedIn);
        group.MapGet("", ListAsync).WithName("ListNotifications").WithSummary("The caller's notifications, newest first, with the unread count.");
        group.MapGet("/unread-count", UnreadCountAsync).WithName("CountUnreadNotifications").WithSummary("How many of the caller's notifications are unread.");
        group.MapPost("/{id:guid}/read", MarkReadAsync).WithName("MarkNotificationRead").WithSummary("Marks one notification read (repeating it changes nothing).");
        group.MapPost("/read-all", MarkAllReadAsync).WithName("MarkAllNotificationsRead").WithSummary("Marks every unread notification read.");
        group.MapGet("/preferences", PreferencesAsync).WithName("GetNotificationPreferences").WithSummary("Push on or off, per notification category.");
        group.MapPut("/preferences", UpdatePreferencesAsync).WithName("UpdateNotificationPreferences").WithSummary("Changes push per category; categories not listed keep their setting.");
        return endpoints;
    }

    private static async Task<Results<Ok<NotificationPage>, ProblemHttpResult>> ListAsync(
        ICurrentUser user, PlatformDbContext db, CancellationToken cancellationToken,
        [FromQuery, Range(1, 100_000)] int page = 1,
        [FromQuery(Name = "page_size"), Range(1, 100)] int pageSize = 20,
        [FromQuery(Name = "unread_only")] bool unreadOnly = false)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        var mine = db.Set<Notification>().Where(n => n.UserId == me);
        var filtered = unreadOnly ? mine.Where(n => n.ReadAt == null) : mine;
        var total = await filtered.CountAsync(cancellationToken);
        var unread = await mine.CountAsync(n => n.ReadAt == null, cancellationToken);
        var items = await filtered.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new NotificationPage([.. items.Select(NotificationView.From)], total, page, pageSize, unread));
    }

    private static async Task<Results<Ok<UnreadCountView>, ProblemHttpResult>> UnreadCountAsync(ICurrentUser user, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        return TypedResults.Ok(new UnreadCountView(await db.Set<Notification>().CountAsync(n => n.UserId == me && n.ReadAt == null, cancellationToken)));
    }

    private static async Task<Results<Ok<MarkedRead>, ProblemHttpResult>> MarkReadAsync(
        Guid id, ICurrentUser user, PlatformDbContext db, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var notification = await db.Set<Notification>().FirstOrDefaultAsync(n => n.Id == id && n.UserId == me, cancellationToken);
        if (notification is null)
        {
            return Errors.NotFound("Notification").ToProblem();
        }

        var marked = await db.Set<Notification>().Where(n => n.Id == id && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, clock.GetUtcNow()), cancellationToken);
        var unread = await db.Set<Notification>().CountAsync(n => n.UserId == me && n.ReadAt == null, cancellationToken);
        if (marked > 0)
        {
            await PublishReadAsync(db, outbox, me, [id], unread, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new MarkedRead(marked, unread));
    }

    private static async Task<Results<Ok<MarkedRead>, ProblemHttpResult>> MarkAllReadAsync(
        ICurrentUser user, PlatformDbContext db, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = await db.Set<Notification>().Where(n => n.UserId == me && n.ReadAt == null).Select(n => n.Id).ToListAsync(cancellationToken);
        var marked = await db.Set<Notification>().Where(n => ids.Contains(n.Id) && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, clock.GetUtcNow()), cancellationToken);
        var unread = await db.Set<Notification>().CountAsync(n => n.UserId == me && n.ReadAt == null, cancellationToken);
        if (marked > 0)
        {
            await PublishReadAsync(db, outbox, me, ids, unread, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new MarkedRead(marked, unread));
    }

    private static async Task<Results<Ok<PreferenceList>, ProblemHttpResult>> PreferencesAsync(
        ICurrentUser user, PlatformDbContext db, NotificationCategories categories, CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        return TypedResults.Ok(await LoadPreferencesAsync(db, categories, me, cancellationToken));
    }

    private static async Task<Results<Ok<PreferenceList>, ProblemHttpResult>> UpdatePreferencesAsync(
        UpdatePreferencesRequest request, ICurrentUser user, PlatformDbContext db, NotificationCategories categories, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (user.UserId is not { } me)
        {
            return Errors.Unauthenticated().ToProblem();
        }

        var errors = new FieldErrors();
        for (var i = 0; i < request.Items.Count; i++)
        {
            errors.When(!categories.ByName.ContainsKey(request.Items[i].Category), $"items[{i}].category", "There is no such notification category.");
        }

        if (errors.AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        var now = clock.GetUtcNow();
        foreach (var change in request.Items.DistinctBy(c => c.Category))
        {
            // One statement per category: concurrent updates from two devices never collide on the primary key.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO platform.notification_preferences (user_id, category, push_enabled, updated_at)
                VALUES ({me}, {change.Category}, {change.PushEnabled}, {now})
                ON CONFLICT (user_id, category) DO UPDATE SET push_enabled = excluded.push_enabled, updated_at = excluded.updated_at
                """, cancellationToken);
        }

        return TypedResults.Ok(await LoadPreferencesAsync(db, categories, me, cancellationToken));
    }

    private static async Task<PreferenceList> LoadPreferencesAsync(PlatformDbContext db, NotificationCategories categories, Guid me, CancellationToken cancellationToken)
    {
        var chosen = await db.Set<NotificationPreference>().AsNoTracking().Where(p => p.UserId == me)
            .ToDictionaryAsync(p => p.Category, p => p.PushEnabled, cancellationToken);
        return new PreferenceList([.. categories.All.Select(c => new PreferenceView(c.Name, c.Title, chosen.GetValueOrDefault(c.Name, c.PushByDefault)))]);
    }

    /// <summary>The user's other devices and tabs update their badge at once.</summary>
    private static Task PublishReadAsync(PlatformDbContext db, IOutbox outbox, Guid me, IReadOnlyList<Guid> ids, int unread, CancellationToken cancellationToken) =>
        outbox.EnqueueAsync(db, EventEnvelope.Create(RealtimeEvents.NotificationRead, [EventAudience.User(me)], new { ids, unread_count = unread }), cancellationToken);
}
