using Haven.Platform.Crypto;
using Haven.Platform.Data;
using Haven.Platform.Events;
using Haven.Platform.Jobs;
using Haven.Platform.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Notifications;

/// <summary>
/// What a push says. There is deliberately no way to put text into a push: a phone's lock screen may be seen by the
/// person a survivor is hiding from, so every push is the same neutral prompt to open the app (configured once,
/// <c>Haven:Push:Title</c>/<c>Body</c>), and the details are read in the app after sign-in.
/// </summary>
public enum PushPrompt
{
    /// <summary>In-app only.</summary>
    None,

    /// <summary>The neutral prompt at normal priority.</summary>
    Standard,

    /// <summary>The same neutral prompt, delivered at high priority (wakes the device).</summary>
    Urgent,
}

/// <summary>
/// A notification for one user's in-app list. <see cref="Title"/>, <see cref="Body"/> and <see cref="Link"/> are shown
/// only inside the signed-in app (never in a push). <see cref="Link"/> is an app path (starts with '/').
/// </summary>
public sealed record NotificationRequest(Guid UserId, string Category, string Title, string? Body = null, string? Link = null)
{
    public PushPrompt Push { get; init; } = PushPrompt.Standard;
}

/// <summary>Adds notifications to users' lists, tells their open apps at once, and pushes the neutral prompt to their devices.</summary>
public interface INotifier
{
    /// <summary>
    /// Inside <paramref name="db"/>'s transaction (throws if it has none): the notification, its realtime event
    /// (<c>notification.push</c> on the user's personal stream) and its push jobs commit with the caller's change.
    /// Push respects the user's preference for the category. Returns the notification's id.
    /// </summary>
    Task<Guid> NotifyAsync(DbContext db, NotificationRequest request, CancellationToken cancellationToken = default);

    /// <summary>In a transaction of its own (for jobs and other code without one).</summary>
    Task<Guid> NotifyAsync(NotificationRequest request, CancellationToken cancellationToken = default);
}

internal sealed class Notifier(
    NpgsqlDataSource dataSource, NotificationCategories categories, IOutbox outbox, JobQueue jobs, FieldEncryption fields, TimeProvider clock,
    IOptions<PushOptions> push)
    : INotifier
{
    public Task<Guid> NotifyAsync(DbContext db, NotificationRequest request, CancellationToken cancellationToken = default)
    {
        var (connection, transaction) = DbContextConnections.RequireTransaction(db, "INotifier.NotifyAsync");
        return NotifyAsync(connection, transaction, request, cancellationToken);
    }

    public async Task<Guid> NotifyAsync(NotificationRequest request, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await NotifyAsync(connection, transaction, request, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    private async Task<Guid> NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NotificationRequest request, CancellationToken cancellationToken)
    {
        var category = Validate(request);
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        long unread;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO platform.notifications (id, user_id, category, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = request.UserId });
            insert.Parameters.Add(new() { Value = request.Category });
            // Sealed exactly as the EF model seals them (same purposes), so the list endpoints read them back.
            insert.Parameters.Add(new() { Value = fields.Encrypt(request.Title, NotificationConfiguration.TitlePurpose) });
            insert.Parameters.Add(new()
            {
                Value = request.Body is null ? DBNull.Value : (object)fields.Encrypt(request.Body, NotificationConfiguration.BodyPurpose),
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea,
            });
            insert.Parameters.Add(new() { Value = (object?)request.Link ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
            insert.Parameters.Add(new() { Value = now });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var count = new NpgsqlCommand(
            "SELECT count(*) FROM platform.notifications WHERE user_id = $1 AND read_at IS NULL", connection, transaction))
        {
            count.Parameters.Add(new() { Value = request.UserId });
            unread = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        var view = new NotificationView(id, request.Category, request.Title, request.Body, request.Link, now, null);
        await outbox.EnqueueAsync(connection, transaction,
            [EventEnvelope.Create(RealtimeEvents.NotificationPush, [EventAudience.User(request.UserId)], new { notification = view, unread_count = unread })],
            cancellationToken);

        if (request.Push != PushPrompt.None && push.Value.IsConfigured && await PushWantedAsync(connection, transaction, request.UserId, category, cancellationToken))
        {
            foreach (var device in await DevicesAsync(connection, transaction, request.UserId, cancellationToken))
            {
                await jobs.EnqueueAsync(connection, transaction,
                    new JobRequest(PushJob.Kind, new PushJob.Payload(id, device, request.Push == PushPrompt.Urgent)) { DedupeKey = $"push:{id:N}:{device:N}" },
                    cancellationToken);
            }
        }

        return id;
    }

    private NotificationCategory Validate(NotificationRequest request)
    {
        if (!categories.ByName.TryGetValue(request.Category, out var category))
        {
            throw new ArgumentException($"Notification category '{request.Category}' is not declared (AddNotificationCategory).", nameof(request));
        }

        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200 || request.Body is { Length: > 1000 })
        {
            throw new ArgumentException("A notification needs a title of at most 200 characters and a body of at most 1000.", nameof(request));
        }

        if (request.Link is { } link && (link.Length > 500 || !link.StartsWith('/') || link.StartsWith("//", StringComparison.Ordinal)))
        {
            throw new ArgumentException("A notification link is an app path starting with '/', at most 500 characters.", nameof(request));
        }

        return category;
    }

    private static async Task<bool> PushWantedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, NotificationCategory category, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT push_enabled FROM platform.notification_preferences WHERE user_id = $1 AND category = $2", connection, transaction);
        command.Parameters.Add(new() { Value = userId });
        command.Parameters.Add(new() { Value = category.Name });
        return await command.ExecuteScalarAsync(cancellationToken) is bool chosen ? chosen : category.PushByDefault;
    }

    private static async Task<IReadOnlyList<Guid>> DevicesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id FROM platform.devices WHERE user_id = $1", connection, transaction);
        command.Parameters.Add(new() { Value = userId });
        var devices = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(reader.GetGuid(0));
        }

        return devices;
    }
}

/// <summary>A notification as the API and the realtime stream show it.</summary>
public sealed record NotificationView(Guid Id, string Category, string Title, string? Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    internal static NotificationView From(Notification n) => new(n.Id, n.Category, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt);
}
