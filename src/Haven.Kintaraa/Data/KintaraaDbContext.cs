using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Data;

public sealed class KintaraaDbContext(DbContextOptions<KintaraaDbContext> options) : HavenDbContext(options, KintaraaModule.ModuleName)
{
    public DbSet<Provider> Providers => Set<Provider>();

    public DbSet<Incident> Incidents => Set<Incident>();

    public DbSet<CaseNumberCounter> CaseNumberCounters => Set<CaseNumberCounter>();

    public DbSet<Consent> Consents => Set<Consent>();

    public DbSet<Referral> Referrals => Set<Referral>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<ReadCursor> ReadCursors => Set<ReadCursor>();

    public DbSet<EvidenceItem> Evidence => Set<EvidenceItem>();

    public DbSet<CustodyEntry> CustodyEntries => Set<CustodyEntry>();

    public DbSet<Appointment> Appointments => Set<Appointment>();

    public DbSet<CaseNote> CaseNotes => Set<CaseNote>();

    public DbSet<SafetyPlan> SafetyPlans => Set<SafetyPlan>();

    public DbSet<EmergencyContact> EmergencyContacts => Set<EmergencyContact>();

    public DbSet<SyncOperationRecord> SyncOperations => Set<SyncOperationRecord>();
}
