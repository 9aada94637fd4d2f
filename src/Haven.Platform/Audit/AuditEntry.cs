using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Platform.Audit;

/// <summary>
/// One stored audit entry (<c>platform.audit_entries</c>). Written only by <see cref="IAuditTrail"/> and never changed:
/// the database refuses UPDATE, DELETE and TRUNCATE on the table. Read through EF for search.
/// </summary>
public sealed class AuditEntry
{
    public long Seq { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public string ActorType { get; set; } = "";

    public Guid? ActorId { get; set; }

    public string? ActorName { get; set; }

    public Guid? SessionId { get; set; }

    public string[] ActorRoles { get; set; } = [];

    public Guid? TenantId { get; set; }

    public string? ClientAddress { get; set; }

    public string? UserAgent { get; set; }

    public string? RequestId { get; set; }

    public string Action { get; set; } = "";

    public string ResourceType { get; set; } = "";

    public string? ResourceId { get; set; }

    public string? Note { get; set; }

    /// <summary>Canonical JSON array of changes (see <see cref="AuditCanonical.SerializeChanges"/>).</summary>
    public string Changes { get; set; } = "[]";

    public byte[] PrevHash { get; set; } = [];

    public byte[] Hash { get; set; } = [];

    public AuditRecord ToRecord() => new(
        Seq, OccurredAt.UtcDateTime, ActorType, ActorId, ActorName, SessionId, ActorRoles, TenantId, ClientAddress, UserAgent,
        RequestId, Action, ResourceType, ResourceId, Note, AuditCanonical.ParseChanges(System.Text.Encoding.UTF8.GetBytes(Changes)), PrevHash);
}

/// <summary>The newest entry's number and hash (<c>platform.audit_chain_head</c>, one row). Appends lock it; a trigger moves it.</summary>
internal sealed class AuditChainHead
{
    public short Id { get; set; }

    public long LastSeq { get; set; }

    public byte[] LastHash { get; set; } = [];
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(e => e.Seq);
        builder.Property(e => e.Seq).ValueGeneratedNever();
        builder.Property(e => e.ActorType).HasMaxLength(16);
        builder.Property(e => e.ActorName).HasMaxLength(100);
        builder.Property(e => e.ClientAddress).HasMaxLength(64);
        builder.Property(e => e.UserAgent).HasMaxLength(AuditTrail.MaxUserAgentLength);
        builder.Property(e => e.RequestId).HasMaxLength(100);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.ResourceType).HasMaxLength(100);
        builder.Property(e => e.ResourceId).HasMaxLength(AuditTrail.MaxResourceIdLength);
        builder.Property(e => e.Note).HasMaxLength(AuditEvent.MaxNoteLength);
        builder.Property(e => e.Changes).HasColumnType("jsonb");
        builder.HasIndex(e => new { e.TenantId, e.Seq });
        builder.HasIndex(e => new { e.ResourceType, e.ResourceId });
        builder.HasIndex(e => e.ActorId);
        builder.HasIndex(e => e.OccurredAt);
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.ToTable("audit_chain_head", t => t.HasCheckConstraint("ck_audit_chain_head_single_row", "id = 1"));
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
    }
}
