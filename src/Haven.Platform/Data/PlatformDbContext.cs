using Haven.Platform.Crypto;
using Haven.Platform.Identity.Data;
using Haven.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Platform.Data;

/// <summary>
/// The kernel's own tables, in schema <c>platform</c>, including the identity store: ASP.NET Core Identity's users
/// (Guid keys) plus Haven's tenant-scoped role grants, sessions, MFA and login events. Identity's own role, claim,
/// external-login and token tables are not used (roles are tenant-scoped grants; MFA and tokens have their own tables).
/// It derives from Identity's context rather than <see cref="HavenDbContext"/>, so it applies the same model hooks
/// itself: snake_case naming and field encryption (<c>IsEncrypted()</c>).
/// </summary>
public sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options)
    : IdentityUserContext<HavenUser, Guid, IdentityUserClaim<Guid>, IdentityUserLogin<Guid>, IdentityUserToken<Guid>>(options)
{
    public const string Schema = "platform";

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<UserRoleGrant> RoleGrants => Set<UserRoleGrant>();

    public DbSet<UserSession> Sessions => Set<UserSession>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<LoginEvent> LoginEvents => Set<LoginEvent>();

    public DbSet<MfaAuthenticator> MfaAuthenticators => Set<MfaAuthenticator>();

    public DbSet<MfaRecoveryCode> MfaRecoveryCodes => Set<MfaRecoveryCode>();

    public DbSet<DeviceCredential> DeviceCredentials => Set<DeviceCredential>();

    public DbSet<AccountToken> AccountTokens => Set<AccountToken>();

    // Identity's base model maps its claim/login/token entities before Haven drops them; that is intended, not a warning.
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.ConfigureWarnings(w => w.Ignore(CoreEventId.MappedEntityTypeIgnoredWarning));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Ignore<IdentityUserClaim<Guid>>();
        modelBuilder.Ignore<IdentityUserLogin<Guid>>();
        modelBuilder.Ignore<IdentityUserToken<Guid>>();
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PlatformDbContext).Assembly);
        FieldEncryptionModel.Apply(modelBuilder, this);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseHavenNaming();
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.Property(t => t.Module).HasMaxLength(32);
        builder.Property(t => t.Kind).HasMaxLength(32);
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.HasIndex(t => new { t.Module, t.Name }).IsUnique();
    }
}
