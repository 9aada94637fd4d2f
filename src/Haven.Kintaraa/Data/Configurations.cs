using System.Text.Json;
using Haven.Platform.Crypto;
using Haven.Platform.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Haven.Kintaraa.Data;

internal static class JsonColumn
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Stores a value as JSON (snake_case, like the API) with change tracking by content.</summary>
    public static PropertyBuilder<T> AsJson<T>(this PropertyBuilder<T> property, string columnType = "jsonb")
    {
        property.HasConversion(
            new ValueConverter<T, string>(v => JsonSerializer.Serialize(v, Options), s => JsonSerializer.Deserialize<T>(s, Options)!),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!));
        return property.HasColumnType(columnType);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformServices.ConfigureJson(options);
        return options;
    }
}

internal sealed class ProviderConfiguration : IEntityTypeConfiguration<Provider>
{
    public void Configure(EntityTypeBuilder<Provider> builder)
    {
        builder.ToTable("providers");
        builder.Property(p => p.ProviderType).HasSnakeEnum();
        builder.Property(p => p.DisplayName).HasMaxLength(200);
        builder.Property(p => p.Organisation).HasMaxLength(200);
        builder.Property(p => p.Phone).HasMaxLength(32);
        builder.Property(p => p.Address).HasMaxLength(300);
        builder.Property(p => p.TimeZone).HasMaxLength(64);
        builder.Property(p => p.WorkingHours).AsJson();
        builder.Property(p => p.Rating).HasPrecision(3, 2);
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.UserId).IsUnique();
        builder.HasIndex(p => new { p.ProviderType, p.IsVerified, p.IsAvailable });
    }
}

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.ToTable("incidents");
        builder.Property(i => i.CaseNumber).HasMaxLength(20);
        builder.Property(i => i.Handle).HasMaxLength(16);
        builder.Property(i => i.Source).HasSnakeEnum(16);
        builder.Property(i => i.Type).HasSnakeEnum(16);
        builder.Property(i => i.Status).HasSnakeEnum(16);
        builder.Property(i => i.Priority).HasSnakeEnum(16);
        builder.Property(i => i.Severity).HasSnakeEnum(16);
        builder.Property(i => i.LocationPrecision).HasSnakeEnum(16);
        builder.Property(i => i.Description).IsEncrypted();
        builder.Ignore(i => i.Location);
        builder.Property(i => i.LocationData).HasColumnName("location").IsEncrypted();
        builder.PrimitiveCollection(i => i.SupportServices).ElementType(e => e.HasConversion(SnakeEnum<SupportService>.Converter));
        builder.Property(i => i.LegalHoldReason).HasMaxLength(500);
        builder.Property(i => i.Version).IsConcurrencyToken();

        // Case numbers and handles are searched by prefix ("KIN-2411", "S-7Q"); pattern ops make LIKE 'x%' use the index.
        builder.HasIndex(i => i.CaseNumber).IsUnique().HasOperators("varchar_pattern_ops");
        builder.HasIndex(i => i.Handle).IsUnique().HasOperators("varchar_pattern_ops");
        builder.HasIndex(i => new { i.SurvivorId, i.CreatedAt });
        builder.HasIndex(i => i.CreatedAt);
        builder.HasIndex(i => new { i.Status, i.CreatedAt });
        builder.HasIndex(i => new { i.Priority, i.CreatedAt });
        builder.HasIndex(i => new { i.Type, i.CreatedAt });
        builder.HasIndex(i => i.ReceiptCodeHash).IsUnique().HasFilter("receipt_code_hash IS NOT NULL");
    }
}

internal sealed class CaseNumberCounterConfiguration : IEntityTypeConfiguration<CaseNumberCounter>
{
    public void Configure(EntityTypeBuilder<CaseNumberCounter> builder)
    {
        builder.ToTable("case_number_counters");
        builder.HasKey(c => c.Day);
    }
}

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<Consent>
{
    public void Configure(EntityTypeBuilder<Consent> builder)
    {
        builder.ToTable("consents");
        builder.Property(c => c.Service).HasSnakeEnum();
        builder.Property(c => c.Method).HasSnakeEnum(16);
        builder.Property(c => c.RecordedByRole).HasSnakeEnum(16);
        builder.Property(c => c.Note).HasMaxLength(500);
        builder.HasOne<Incident>().WithMany().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.IncidentId, c.Service, c.RecordedAt });
    }
}

internal sealed class ReferralConfiguration : IEntityTypeConfiguration<Referral>
{
    public void Configure(EntityTypeBuilder<Referral> builder)
    {
        builder.ToTable("referrals");
        builder.Ignore(r => r.IsActive);
        builder.Property(r => r.Service).HasSnakeEnum();
        builder.Property(r => r.ProviderType).HasSnakeEnum();
        builder.Property(r => r.Kind).HasSnakeEnum(16);
        builder.Property(r => r.Status).HasSnakeEnum(16);
        builder.Property(r => r.Score).HasPrecision(8, 2);
        builder.Property(r => r.Routing).AsJson();
        builder.Property(r => r.Note).HasMaxLength(1000);
        builder.Property(r => r.DeclineCode).HasMaxLength(32);
        builder.Property(r => r.DeclineReason).HasMaxLength(500);
        builder.Property(r => r.RevokeReason).HasMaxLength(500);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasOne<Incident>().WithMany().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Provider>().WithMany().HasForeignKey(r => r.ProviderId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => r.IncidentId);
        builder.HasIndex(r => new { r.ProviderId, r.Status });
        // At most one live offer per service of a case, whatever races: re-routing and double clicks cannot duplicate it.
        builder.HasIndex(r => new { r.IncidentId, r.Service }).IsUnique()
            .HasFilter("status IN ('pending', 'accepted')").HasDatabaseName("ix_referrals_incident_id_service_active");
        builder.HasIndex(r => r.RespondBy).HasFilter("status = 'pending'");
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("messages");
        builder.Property(m => m.Seq).UseIdentityAlwaysColumn();
        builder.Property(m => m.SenderRole).HasSnakeEnum(16);
        builder.Property(m => m.Kind).HasSnakeEnum(16);
        builder.Property(m => m.Body).IsEncrypted();
        builder.HasOne<Incident>().WithMany().HasForeignKey(m => m.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<EvidenceItem>().WithMany().HasForeignKey(m => m.EvidenceId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(m => new { m.IncidentId, m.Seq });
        builder.HasIndex(m => m.EvidenceId);
    }
}

internal sealed class ReadCursorConfiguration : IEntityTypeConfiguration<ReadCursor>
{
    public void Configure(EntityTypeBuilder<ReadCursor> builder)
    {
        builder.ToTable("read_cursors");
        builder.HasKey(c => new { c.IncidentId, c.UserId });
        builder.Property(c => c.Role).HasSnakeEnum(16);
        builder.HasOne<Incident>().WithMany().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.UserId);
    }
}

internal sealed class EvidenceConfiguration : IEntityTypeConfiguration<EvidenceItem>
{
    public void Configure(EntityTypeBuilder<EvidenceItem> builder)
    {
        builder.ToTable("evidence");
        builder.Property(e => e.UploaderRole).HasSnakeEnum(16);
        builder.Property(e => e.Kind).HasSnakeEnum(16);
        builder.Property(e => e.FileName).HasMaxLength(255);
        builder.Property(e => e.ContentType).HasMaxLength(100);
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.Property(e => e.Description).IsEncrypted();
        builder.HasOne<Incident>().WithMany().HasForeignKey(e => e.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.IncidentId);
    }
}

internal sealed class CustodyEntryConfiguration : IEntityTypeConfiguration<CustodyEntry>
{
    public void Configure(EntityTypeBuilder<CustodyEntry> builder)
    {
        builder.ToTable("custody_entries");
        builder.Property(c => c.Action).HasSnakeEnum(16);
        builder.Property(c => c.ActorRole).HasSnakeEnum(16);
        builder.Property(c => c.ActorLabel).HasMaxLength(300);
        builder.Property(c => c.Recipient).HasMaxLength(300);
        builder.Property(c => c.Note).HasMaxLength(1000);
        builder.Property(c => c.Sha256).HasMaxLength(64);
        builder.HasOne<EvidenceItem>().WithMany().HasForeignKey(c => c.EvidenceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.EvidenceId, c.Sequence }).IsUnique();
    }
}

internal sealed class AppointmentConfiguration : IEntityTypeConfiguration<Appointment>
{
    public void Configure(EntityTypeBuilder<Appointment> builder)
    {
        builder.ToTable("appointments");
        builder.Property(a => a.Kind).HasSnakeEnum(16);
        builder.Property(a => a.Status).HasSnakeEnum(16);
        builder.Property(a => a.Title).HasMaxLength(200);
        builder.Property(a => a.Location).HasMaxLength(300);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.HasOne<Incident>().WithMany().HasForeignKey(a => a.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Provider>().WithMany().HasForeignKey(a => a.ProviderId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.IncidentId, a.StartsAt });
        builder.HasIndex(a => a.ProviderId);
        builder.HasIndex(a => a.StartsAt).HasFilter("status = 'scheduled'");
    }
}

internal sealed class CaseNoteConfiguration : IEntityTypeConfiguration<CaseNote>
{
    public void Configure(EntityTypeBuilder<CaseNote> builder)
    {
        builder.ToTable("case_notes");
        builder.Property(n => n.AuthorRole).HasSnakeEnum(16);
        builder.Property(n => n.AuthorProviderType).HasSnakeEnum();
        builder.Property(n => n.Kind).HasSnakeEnum(16);
        builder.Property(n => n.Body).IsEncrypted();
        builder.HasOne<Incident>().WithMany().HasForeignKey(n => n.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(n => new { n.IncidentId, n.CreatedAt });
    }
}

internal sealed class SafetyPlanConfiguration : IEntityTypeConfiguration<SafetyPlan>
{
    public void Configure(EntityTypeBuilder<SafetyPlan> builder)
    {
        builder.ToTable("safety_plans");
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.UserId).ValueGeneratedNever();
        builder.Ignore(p => p.Content);
        builder.Property(p => p.ContentData).HasColumnName("content").IsEncrypted();
        builder.Property(p => p.Version).IsConcurrencyToken();
    }
}

internal sealed class EmergencyContactConfiguration : IEntityTypeConfiguration<EmergencyContact>
{
    public void Configure(EntityTypeBuilder<EmergencyContact> builder)
    {
        builder.ToTable("emergency_contacts");
        builder.Property(c => c.Name).IsEncrypted();
        builder.Property(c => c.Phone).IsEncrypted();
        builder.Property(c => c.Relationship).HasMaxLength(50);
        builder.Property(c => c.Version).IsConcurrencyToken();
        builder.HasIndex(c => c.UserId);
    }
}

internal sealed class SyncOperationConfiguration : IEntityTypeConfiguration<SyncOperationRecord>
{
    public void Configure(EntityTypeBuilder<SyncOperationRecord> builder)
    {
        builder.ToTable("sync_operations");
        builder.HasKey(o => new { o.UserId, o.OpId });
        builder.Property(o => o.Type).HasMaxLength(32);
        builder.Property(o => o.Result).HasColumnType("json");
    }
}
