using Haven.Platform.Identity.Audit;
using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Mfa;

/// <summary>The outcome of confirming enrolment: the recovery codes to show once, and the session's new tokens.</summary>
internal sealed record MfaEnrolmentConfirmed(IReadOnlyList<string> RecoveryCodes, IssuedTokens Tokens);

/// <summary>
/// Confirms a pending authenticator with a code, turns two-step verification on, issues recovery codes and elevates the
/// current session (a restricted enrolment-only session gets its roles). The API and the portal pages share it.
/// </summary>
internal sealed class MfaEnrolmentFlow(PlatformDbContext db, MfaService mfa, SessionService sessions, IdentityAudit audit)
{
    public async Task<(MfaEnrolmentConfirmed? Confirmed, Error? Error)> ConfirmAsync(Guid userId, Guid sessionId, string code, CancellationToken cancellationToken)
    {
        if (await mfa.IsEnabledAsync(userId, cancellationToken))
        {
            return (null, IdentityErrors.MfaAlreadyEnabled);
        }

        if (!await db.MfaAuthenticators.AnyAsync(a => a.UserId == userId, cancellationToken))
        {
            return (null, IdentityErrors.MfaNotEnrolling);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await mfa.CompleteEnrolmentAsync(userId, code, cancellationToken))
        {
            return (null, IdentityErrors.InvalidMfaCode);
        }

        var codes = await mfa.NewRecoveryCodesAsync(userId, cancellationToken);
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.MfaEnabled, userId, cancellationToken, new AuditChanges().Set("two_factor_enabled", false, true));
        // Proving the second factor here counts for this session; a restricted one gets its roles now.
        var tokens = await sessions.ElevateAsync(user, sessionId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (new MfaEnrolmentConfirmed(codes, tokens), null);
    }
}
