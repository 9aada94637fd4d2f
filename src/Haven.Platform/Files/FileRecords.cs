using Haven.Platform.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Platform.Files;

public enum FileStatus
{
    /// <summary>Stored and scanned clean: downloads are served.</summary>
    Available,

    /// <summary>Held by the scanner or an administrator: kept, never served.</summary>
    Quarantined,
}

/// <summary>A stored file's metadata as modules see it.</summary>
public sealed record StoredFile(
    Guid Id, string Use, Guid? TenantId, Guid? UploadedBy, string FileName, string ContentType, long Length, string Sha256,
    FileStatus Status, string? StatusReason, DateTimeOffset CreatedAt);

/// <summary><c>platform.files</c>: one row per completely stored file (written only after its content is complete).</summary>
internal sealed class FileRecord
{
    public Guid Id { get; set; }

    public string Use { get; set; } = "";

    public Guid? TenantId { get; set; }

    public Guid? UploadedBy { get; set; }

    public string FileName { get; set; } = "";

    public string ContentType { get; set; } = "";

    public long Length { get; set; }

    public byte[] Sha256 { get; set; } = [];

    public string StorageKey { get; set; } = "";

    public int ChunkSize { get; set; }

    public string KeyId { get; set; } = "";

    public byte[] WrappedKey { get; set; } = [];

    public string Status { get; set; } = "";

    public string? StatusReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary><c>platform.file_uploads</c>: an upload in flight. A row older than the sweep threshold is an orphan.</summary>
internal sealed class FileUploadRecord
{
    public Guid Id { get; set; }

    public string StorageKey { get; set; } = "";

    public string? BackendUploadId { get; set; }

    public DateTimeOffset StartedAt { get; set; }
}

internal sealed class FileRecordConfiguration : IEntityTypeConfiguration<FileRecord>
{
    public void Configure(EntityTypeBuilder<FileRecord> builder)
    {
        builder.ToTable("files");
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.Use).HasMaxLength(64);
        builder.Property(f => f.FileName).HasMaxLength(FileNames.MaxLength);
        builder.Property(f => f.ContentType).HasMaxLength(100);
        builder.Property(f => f.StorageKey).HasMaxLength(200);
        builder.Property(f => f.KeyId).HasMaxLength(100);
        builder.Property(f => f.Status).HasMaxLength(16);
        builder.Property(f => f.StatusReason).HasMaxLength(500);
        builder.HasIndex(f => f.KeyId);
        builder.HasIndex(f => new { f.Use, f.TenantId });
        // The file belongs to the module record holding it; deleting its uploader's account only clears the link.
        builder.HasIndex(f => f.UploadedBy);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(f => f.UploadedBy).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class FileUploadRecordConfiguration : IEntityTypeConfiguration<FileUploadRecord>
{
    public void Configure(EntityTypeBuilder<FileUploadRecord> builder)
    {
        builder.ToTable("file_uploads");
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.StorageKey).HasMaxLength(200);
        builder.Property(u => u.BackendUploadId).HasMaxLength(1024);
        builder.HasIndex(u => u.StartedAt);
    }
}
