using Haven.Platform.Crypto;
using Haven.Platform.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Platform.Notifications;

/// <summary>An entry in a user's in-app notification list; title and body are encrypted at rest.</summary>
public sealed class Notification
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Category { get; set; }

    public required string Title { get; set; }

    public string? Body { get; set; }

    /// <summary>Where the app goes when the notification is opened (an app path such as <c>/kintaraa/cases/…</c>).</summary>
    public string? Link { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>A push registration: one app installation's FCM token, owned by the user who last registered it.</summary>
public sealed class Device
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Platform { get; set; }

    public required string Token { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>A user's choice for one category; absent rows mean the category's default.</summary>
public sealed class NotificationPreference
{
    public Guid UserId { get; set; }

    public required string Category { get; set; }

    public bool PushEnabled { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    /// <summary>The field-encryption bindings of title and body; <see cref="Notifier"/> writes with SQL and seals with the same ones.</summary>
    public const string TitlePurpose = "platform.notifications.title";
    public const string BodyPurpose = "platform.notifications.body";

    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("notifications");
        builder.Property(n => n.Id).ValueGeneratedNever();
        builder.Property(n => n.Category).HasMaxLength(64);
        // They can name a case or a person. Lengths (200, 1000) are checked by the notifier.
        builder.Property(n => n.Title).IsEncrypted(TitlePurpose);
        builder.Property(n => n.Body).IsEncrypted(BodyPurpose);
        builder.Property(n => n.Link).HasMaxLength(500);
        builder.HasIndex(n => new { n.UserId, n.CreatedAt });
        builder.HasIndex(n => n.UserId).HasDatabaseName("ix_notifications_unread").HasFilter("(read_at IS NULL)");
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.ToTable("devices");
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Platform).HasMaxLength(16);
        builder.Property(d => d.Token).HasMaxLength(512);
        builder.HasIndex(d => d.Token).IsUnique();
        builder.HasIndex(d => d.UserId);
        // A deleted account's push tokens must never be used again.
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> builder)
    {
        builder.ToTable("notification_preferences");
        builder.HasKey(p => new { p.UserId, p.Category });
        builder.Property(p => p.Category).HasMaxLength(64);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
