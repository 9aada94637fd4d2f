using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Data;
using Haven.Platform.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Mfa;

/// <summary>
/// TOTP authenticators and recovery codes. A code is accepted once: the authenticator remembers the last time step it
/// accepted and refuses that step and earlier ones (a conditional UPDATE, so two requests racing with the same code
/// cannot both pass). Recovery codes are single use the same way. Secrets are encrypted at rest by field encryption
/// (<see cref="MfaAuthenticator.Secret"/>), so <c>fields rotate-keys</c> rotates them with every other sealed column.
/// </summary>
internal sealed class MfaService(PlatformDbContext db, TimeProvider clock, IOptions<HavenIdentityOptions> options)
{
    public const int RecoveryCodeCount = 10;
    private const string CodeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public async Task<bool> IsEnabledAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.MfaAuthenticators.AnyAsync(a => a.UserId == userId && a.EnabledAt != null, cancellationToken);

    /// <summary>Starts (or restarts) enrolment with a new secret; the authenticator is enabled by the first correct code.</summary>
    public async Task<(string Secret, string Uri)> BeginEnrolmentAsync(HavenUser user, CancellationToken cancellationToken)
    {
        var secret = Totp.NewSecret();
        await StoreSecretAsync(user.Id, secret, enabled: false, cancellationToken);
        var account = user.Email ?? user.UserName ?? user.Id.ToString();
        return (Base32.Encode(secret), Totp.OtpAuthUri(options.Value.TotpIssuer, account, secret));
    }

    /// <summary>Stores a known secret, already enabled: for demo seeding and test users only (they print or compute codes).</summary>
    public Task SetEnabledSecretAsync(Guid userId, byte[] secret, CancellationToken cancellationToken) =>
        StoreSecretAsync(userId, secret, enabled: true, cancellationToken);

    public async Task<bool> CompleteEnrolmentAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        var authenticator = await db.MfaAuthenticators.FirstOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        if (authenticator is null || authenticator.EnabledAt is not null || !await AcceptCodeAsync(authenticator, code, cancellationToken))
        {
            return false;
        }

        await db.MfaAuthenticators.Where(a => a.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.EnabledAt, clock.GetUtcNow()), cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, true), cancellationToken);
        return true;
    }

    /// <summary>Checks a TOTP code of an enabled authenticator and spends its time step.</summary>
    public async Task<bool> VerifyCodeAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        var authenticator = await db.MfaAuthenticators.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == userId && a.EnabledAt != null, cancellationToken);
        return authenticator is not null && await AcceptCodeAsync(authenticator, code, cancellationToken);
    }

    public async Task<bool> UseRecoveryCodeAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        var hash = HashRecoveryCode(userId, code);
        var spent = await db.MfaRecoveryCodes.Where(c => c.UserId == userId && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, clock.GetUtcNow()), cancellationToken);
        return spent == 1;
    }

    /// <summary>Replaces all recovery codes with new ones and returns them (shown once, stored hashed).</summary>
    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.MfaRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        db.MfaRecoveryCodes.AddRange(codes.Select(c => new MfaRecoveryCode
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            CodeHash = HashRecoveryCode(userId, c),
            CreatedAt = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return codes;
    }

    public async Task<int> RemainingRecoveryCodesAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.MfaRecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAt == null, cancellationToken);

    public async Task DisableAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.MfaAuthenticators.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.MfaRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, false), cancellationToken);
    }

    /// <summary>The decrypted secret of a user's authenticator (demo seeding prints it; nothing else reads it back).</summary>
    public async Task<byte[]?> ReadSecretAsync(Guid userId, CancellationToken cancellationToken)
    {
        var authenticator = await db.MfaAuthenticators.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        return authenticator is null ? null : SecretOf(authenticator);
    }

    private async Task<bool> AcceptCodeAsync(MfaAuthenticator authenticator, string code, CancellationToken cancellationToken)
    {
        if (Totp.MatchingStep(SecretOf(authenticator), code, clock.GetUtcNow()) is not { } step)
        {
            return false;
        }

        var spent = await db.MfaAuthenticators.Where(a => a.UserId == authenticator.UserId && a.LastUsedStep < step)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastUsedStep, step), cancellationToken);
        return spent == 1;
    }

    private async Task StoreSecretAsync(Guid userId, byte[] secret, bool enabled, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.MfaAuthenticators.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        db.MfaAuthenticators.Add(new MfaAuthenticator
        {
            UserId = userId,
            Secret = Base32.Encode(secret),
            CreatedAt = now,
            EnabledAt = enabled ? now : null,
        });
        await db.SaveChangesAsync(cancellationToken);
        if (enabled)
        {
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, true), cancellationToken);
        }
    }

    private static byte[] SecretOf(MfaAuthenticator authenticator) => Base32.Decode(authenticator.Secret);

    private static string NewRecoveryCode()
    {
        var chars = RandomNumberGenerator.GetItems<char>(CodeAlphabet, 10);
        return $"{new string(chars, 0, 5)}-{new string(chars, 5, 5)}";
    }

    private static byte[] HashRecoveryCode(Guid userId, string code) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}:{code.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal)}"));
}
