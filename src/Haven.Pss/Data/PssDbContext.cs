using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Data;

public sealed class PssDbContext(DbContextOptions<PssDbContext> options) : HavenDbContext(options, PssModule.ModuleName)
{
    public DbSet<Profile> Profiles => Set<Profile>();

    public DbSet<IntakeForm> IntakeForms => Set<IntakeForm>();

    public DbSet<IntakeSubmission> IntakeSubmissions => Set<IntakeSubmission>();

    public DbSet<JournalEntry> JournalEntries => Set<JournalEntry>();

    public DbSet<AdminNote> AdminNotes => Set<AdminNote>();
}
