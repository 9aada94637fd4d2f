using Haven.Platform.Crypto;
using Haven.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Platform.Identity.Data;

internal sealed class HavenUserConfiguration : IEntityTypeConfiguration<HavenUser>
{
    public void Configure(EntityTypeBuilder<HavenUser> builder)
    {
        // Identity names its table and indexes explicitly; Haven's naming is snake_case like every other table.
        builder.ToTable("users");
        builder.HasIndex(u => u.NormalizedUserName).HasDatabaseName("ix_users_normalized_user_name").IsUnique();
        builder.HasIndex(u => u.NormalizedEmail).HasDatabaseName("ix_users_normalized_email").IsUnique();
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.HasMany(u => u.Grants).WithOne().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserRoleGrantConfiguration : IEntityTypeConfiguration<UserRoleGrant>
{
    public void Configure(EntityTypeBuilder<UserRoleGrant> builder)
    {
        builder.ToTable("role_grants");
        builder.Property(g => g.Role).HasMaxLength(64);
        builder.Property(g => g.ProviderType).HasMaxLength(32);
        // One grant of a role per user and tenant; a role without tenant counts once too (NULLS NOT DISTINCT).
        builder.HasIndex(g => new { g.UserId, g.Role, g.TenantId }).IsUnique().AreNullsDistinct(false);
        builder.HasIndex(g => new { g.TenantId, g.Role });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(g => g.TenantId).OnDelete(DeleteBehavior.Restrict);
        // Who granted it: deleting that admin's account keeps the grant and forgets only the link.
        builder.HasIndex(g => g.GrantedBy);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(g => g.GrantedBy).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.ToTable("sessions");
        builder.Property(s => s.Method).HasMaxLength(32);
        builder.Property(s => s.RevokedReason).HasMaxLength(32);
        builder.Property(s => s.ClientAddress).HasMaxLength(64);
        builder.Property(s => s.UserAgent).HasMaxLength(512);
        builder.Property(s => s.Device).HasMaxLength(200);
        builder.HasIndex(s => s.UserId);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(s => s.RefreshTokens).WithOne().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.ToTable("refresh_tokens");
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.SessionId);
    }
}

internal sealed class LoginEventConfiguration : IEntityTypeConfiguration<LoginEvent>
{
    public void Configure(EntityTypeBuilder<LoginEvent> builder)
    {
        builder.ToTable("login_events");
        builder.Property(e => e.Method).HasMaxLength(16);
        builder.Property(e => e.FailureReason).HasMaxLength(32);
        builder.Property(e => e.ClientAddress).HasMaxLength(64);
        builder.Property(e => e.UserAgent).HasMaxLength(512);
        builder.Property(e => e.Device).HasMaxLength(16);
        builder.Property(e => e.OperatingSystem).HasMaxLength(32);
        builder.Property(e => e.Browser).HasMaxLength(32);
        builder.HasIndex(e => new { e.UserId, e.OccurredAt });
        // Per-address throttling counts recent failures from one address.
        builder.HasIndex(e => new { e.ClientAddress, e.OccurredAt });
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MfaAuthenticatorConfiguration : IEntityTypeConfiguration<MfaAuthenticator>
{
    public void Configure(EntityTypeBuilder<MfaAuthenticator> builder)
    {
        builder.ToTable("mfa_authenticators");
        builder.HasKey(a => a.UserId);
        builder.Property(a => a.Secret).IsEncrypted();
        builder.HasOne<HavenUser>().WithOne().HasForeignKey<MfaAuthenticator>(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MfaRecoveryCodeConfiguration : IEntityTypeConfiguration<MfaRecoveryCode>
{
    public void Configure(EntityTypeBuilder<MfaRecoveryCode> builder)
    {
        builder.ToTable("mfa_recovery_codes");
        builder.HasIndex(c => c.UserId);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeviceCredentialConfiguration : IEntityTypeConfiguration<DeviceCredential>
{
    public void Configure(EntityTypeBuilder<DeviceCredential> builder)
    {
        builder.ToTable("device_credentials");
        builder.Property(d => d.DeviceId).HasMaxLength(128);
        builder.HasIndex(d => d.DeviceId).IsUnique();
        builder.HasIndex(d => d.UserId);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AccountTokenConfiguration : IEntityTypeConfiguration<AccountToken>
{
    public void Configure(EntityTypeBuilder<AccountToken> builder)
    {
        builder.ToTable("account_tokens");
        builder.Property(t => t.Purpose).HasMaxLength(32);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.UserId);
        builder.HasOne<HavenUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
