using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Mfa;
using Haven.Platform.Identity.Passwords;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Identity.Tokens;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Accounts;

/// <summary>The outcome of a sign-in step: a session, a second-factor challenge, or an error.</summary>
internal sealed record LoginResult(IssuedTokens? Tokens, string? MfaChallenge, DateTimeOffset? MfaChallengeExpiresAt, Error? Error)
{
    public static LoginResult Failed(Error error) => new(null, null, null, error);
}

/// <summary>
/// Sign-in with password, second factor or device credential. Every failure of the password step answers the same
/// <see cref="IdentityErrors.InvalidCredentials"/> after the same PBKDF2 work — unknown account, wrong password,
/// locked or deactivated account — so neither answer nor timing reveals which.
/// </summary>
internal sealed class LoginService(
    PlatformDbContext db,
    UserManager<HavenUser> users,
    IPasswordHasher<HavenUser> hasher,
    DummyPasswordHash dummy,
    LoginGuard guard,
    LoginAudit audit,
    MfaService mfa,
    SessionService sessions,
    IdentityAudit trail,
    TokenSigner signer,
    TimeProvider clock,
    IOptions<HavenIdentityOptions> options)
{
    public async Task<LoginResult> PasswordAsync(string email, string password, ClientInfo client, CancellationToken cancellationToken)
    {
        if (await guard.IsAddressThrottledAsync(client.Address, cancellationToken))
        {
            await audit.RecordAsync(null, null, LoginMethods.Password, LoginFailures.Throttled, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.LoginThrottled);
        }

        var normalized = users.NormalizeEmail(email);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null || guard.IsLockedOut(user) || user.PasswordHash is null)
        {
            dummy.Verify(password);
            var reason = user is null ? LoginFailures.UnknownAccount : guard.IsLockedOut(user) ? LoginFailures.LockedOut : LoginFailures.InvalidCredentials;
            await audit.RecordAsync(user?.Id, null, LoginMethods.Password, reason, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.InvalidCredentials);
        }

        var verified = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verified == PasswordVerificationResult.Failed)
        {
            await guard.RegisterFailureAsync(user.Id, cancellationToken);
            await audit.RecordAsync(user.Id, null, LoginMethods.Password, LoginFailures.InvalidCredentials, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.InvalidCredentials);
        }

        if (!user.IsActive)
        {
            await audit.RecordAsync(user.Id, null, LoginMethods.Password, LoginFailures.Deactivated, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.InvalidCredentials);
        }

        if (verified == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // The iteration count was raised since this hash was made: upgrade it now that the password is at hand.
            var rehashed = hasher.HashPassword(user, password);
            await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == user.PasswordHash)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
        }

        if (await mfa.IsEnabledAsync(user.Id, cancellationToken))
        {
            var now = clock.GetUtcNow();
            var expires = now.AddMinutes(options.Value.MfaChallengeMinutes);
            var challenge = signer.Sign(new TokenPayload
            {
                Type = TokenTypes.MfaChallenge,
                UserId = user.Id,
                IssuedAt = now.ToUnixTimeSeconds(),
                ExpiresAt = expires.ToUnixTimeSeconds(),
            });
            return new LoginResult(null, challenge, expires, null);
        }

        return new LoginResult(await StartAsync(user, LoginMethods.Password, mfaVerified: false, client, cancellationToken), null, null, null);
    }

    /// <summary>The second step: a TOTP code or a recovery code against the challenge from the password step.</summary>
    public async Task<LoginResult> MfaAsync(string challenge, string? code, string? recoveryCode, ClientInfo client, CancellationToken cancellationToken)
    {
        if (signer.Validate(challenge, TokenTypes.MfaChallenge, out var payload) != TokenFailure.None)
        {
            return LoginResult.Failed(IdentityErrors.InvalidMfaChallenge);
        }

        if (await guard.IsAddressThrottledAsync(client.Address, cancellationToken))
        {
            await audit.RecordAsync(payload!.UserId, null, LoginMethods.Mfa, LoginFailures.Throttled, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.LoginThrottled);
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == payload!.UserId, cancellationToken);
        if (user is null || !user.IsActive || guard.IsLockedOut(user))
        {
            await audit.RecordAsync(user?.Id, null, LoginMethods.Mfa, user is null || !user.IsActive ? LoginFailures.Deactivated : LoginFailures.LockedOut, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.InvalidMfaChallenge);
        }

        if (code is null && recoveryCode is not null)
        {
            // A recovery code is spent for good and may mean a lost authenticator: the trail records its use with the session.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await mfa.UseRecoveryCodeAsync(user.Id, recoveryCode, cancellationToken))
            {
                var tokens = await StartAsync(user, LoginMethods.Mfa, mfaVerified: true, client, cancellationToken);
                await trail.RecordAsync(IdentityAuditActions.RecoveryCodeUsed, user.Id, cancellationToken,
                    new AuditChanges().Set("session_id", null, tokens.SessionId).Set("recovery_codes_left", null, await mfa.RemainingRecoveryCodesAsync(user.Id, cancellationToken)),
                    actor: new AuditActor(AuditActor.UserType, user.Id, tokens.SessionId, null, []));
                await transaction.CommitAsync(cancellationToken);
                return new LoginResult(tokens, null, null, null);
            }
        }

        var passed = code is not null && await mfa.VerifyCodeAsync(user.Id, code, cancellationToken);
        if (!passed)
        {
            // Guessing codes counts towards the same lockout as guessing passwords.
            await guard.RegisterFailureAsync(user.Id, cancellationToken);
            await audit.RecordAsync(user.Id, null, LoginMethods.Mfa, LoginFailures.InvalidMfaCode, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.InvalidMfaCode);
        }

        return new LoginResult(await StartAsync(user, LoginMethods.Mfa, mfaVerified: true, client, cancellationToken), null, null, null);
    }

    /// <summary>An anonymous survivor's device: the client-generated id and secret it registered with.</summary>
    public async Task<LoginResult> DeviceAsync(string deviceId, string deviceSecret, ClientInfo client, CancellationToken cancellationToken)
    {
        if (await guard.IsAddressThrottledAsync(client.Address, cancellationToken))
        {
            await audit.RecordAsync(null, null, LoginMethods.Device, LoginFailures.Throttled, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.LoginThrottled);
        }

        var credential = await db.DeviceCredentials.AsNoTracking().FirstOrDefaultAsync(d => d.DeviceId == deviceId, cancellationToken);
        var user = credential is null ? null : await db.Users.AsNoTracking().FirstAsync(u => u.Id == credential.UserId, cancellationToken);
        if (credential is null || user is null || guard.IsLockedOut(user) || !user.IsActive
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Secrets.Hash(deviceSecret), credential.SecretHash))
        {
            if (user is not null && user.IsActive && !guard.IsLockedOut(user))
            {
                await guard.RegisterFailureAsync(user.Id, cancellationToken);
            }

            await audit.RecordAsync(user?.Id, null, LoginMethods.Device, user is null ? LoginFailures.UnknownAccount : LoginFailures.InvalidCredentials, client, cancellationToken);
            return LoginResult.Failed(IdentityErrors.InvalidCredentials);
        }

        await db.DeviceCredentials.Where(d => d.Id == credential.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastUsedAt, clock.GetUtcNow()), cancellationToken);
        return new LoginResult(await StartAsync(user, LoginMethods.Device, mfaVerified: false, client, cancellationToken), null, null, null);
    }

    /// <summary>Opens a session for a user who has just proven who they are (also used right after registration).</summary>
    public async Task<IssuedTokens> StartAsync(HavenUser user, string method, bool mfaVerified, ClientInfo client, CancellationToken cancellationToken)
    {
        await guard.RegisterSuccessAsync(user.Id, cancellationToken);
        var tracked = await db.Users.FirstAsync(u => u.Id == user.Id, cancellationToken);
        var tokens = await sessions.StartAsync(tracked, method, mfaVerified, client, cancellationToken);
        await audit.RecordAsync(user.Id, tokens.SessionId, method, null, client, cancellationToken);
        return tokens;
    }
}
