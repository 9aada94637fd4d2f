using Haven.Platform.Crypto;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Pss.Data;

internal sealed class ProfileConfiguration : IEntityTypeConfiguration<Profile>
{
    public void Configure(EntityTypeBuilder<Profile> builder)
    {
        builder.ToTable("profiles");
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.UserId).ValueGeneratedNever();
        builder.Property(p => p.DateOfBirth).IsEncrypted();
        builder.Property(p => p.PhoneNumber).IsEncrypted();
        builder.Property(p => p.Address).IsEncrypted();
        // Staff find a candidate by exact ID number through the keyed blind index; "9001 0150 09087" equals "9001015009087".
        builder.Property(p => p.IdNumber).IsEncrypted().HasBlindIndex(BlindIndexNormalization.AlphanumericIgnoreCase);
        builder.Property(p => p.Diagnosis).IsEncrypted();
        builder.Property(p => p.Medications).IsEncrypted();
        builder.Property(p => p.Allergies).IsEncrypted();
        builder.Property(p => p.DoctorName).IsEncrypted();
        builder.Property(p => p.DoctorPhone).IsEncrypted();
        builder.Property(p => p.MedicalNotes).IsEncrypted();
        builder.Property(p => p.EmergencyContactName).IsEncrypted();
        builder.Property(p => p.EmergencyContactPhone).IsEncrypted();
        builder.Property(p => p.EmergencyContactRelationship).IsEncrypted();
        builder.Property(p => p.Version).IsConcurrencyToken();
    }
}

internal sealed class IntakeFormConfiguration : IEntityTypeConfiguration<IntakeForm>
{
    public void Configure(EntityTypeBuilder<IntakeForm> builder)
    {
        builder.ToTable("intake_forms");
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.Title).HasMaxLength(200);
        builder.Property(f => f.Definition).HasColumnType("jsonb");
        // The default form (null tenant) is versioned like any programme's: one version number per scope.
        builder.HasIndex(f => new { f.TenantId, f.Version }).IsUnique().AreNullsDistinct(false);
    }
}

internal sealed class IntakeSubmissionConfiguration : IEntityTypeConfiguration<IntakeSubmission>
{
    public void Configure(EntityTypeBuilder<IntakeSubmission> builder)
    {
        builder.ToTable("intake_submissions");
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Responses).IsEncrypted();
        builder.HasIndex(s => new { s.UserId, s.SubmittedAt });
        builder.HasOne<IntakeForm>().WithMany().HasForeignKey(s => s.FormId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class JournalEntryConfiguration : IEntityTypeConfiguration<JournalEntry>
{
    public void Configure(EntityTypeBuilder<JournalEntry> builder)
    {
        builder.ToTable("journal_entries", t =>
        {
            t.HasCheckConstraint("ck_journal_entries_mood", Moods.CheckSql);
            t.HasCheckConstraint("ck_journal_entries_energy_level", "energy_level BETWEEN 1 AND 10");
        });
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Title).IsEncrypted();
        builder.Property(e => e.Content).IsEncrypted();
        builder.Property(e => e.Mood).HasConversion(Moods.Converter).HasMaxLength(16);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasIndex(e => new { e.UserId, e.EntryDate });
    }
}

internal sealed class AdminNoteConfiguration : IEntityTypeConfiguration<AdminNote>
{
    public void Configure(EntityTypeBuilder<AdminNote> builder)
    {
        builder.ToTable("admin_notes");
        builder.Property(n => n.Id).ValueGeneratedNever();
        builder.Property(n => n.NoteText).IsEncrypted();
        builder.Property(n => n.Version).IsConcurrencyToken();
        builder.HasIndex(n => new { n.CandidateId, n.CreatedAt });
    }
}
