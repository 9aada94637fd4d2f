using Haven.Platform.Identity.Audit;
using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Mfa;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Endpoints;

/// <summary>TOTP two-step verification: enrol, verify (which enables it and returns recovery codes), disable, new codes.</summary>
internal static class MfaEndpoints
{
    public static void Map(RouteGroupBuilder auth)
    {
        var mfa = auth.MapGroup("/mfa");
        mfa.MapPost("/enrol", EnrolAsync).WithName("auth_mfa_enrol")
            .RequireAuthorization(HavenPolicies.MfaEnrolment)
            .WithSummary("Start enrolling an authenticator app: returns the secret and an otpauth:// URI (show it as a QR code)")
            .WithDescription("Nothing changes until /api/auth/mfa/verify accepts a code. Works in a restricted session. " + AuthEndpoints.LoginFlow);
        mfa.MapPost("/verify", VerifyAsync).WithName("auth_mfa_verify")
            .RequireAuthorization(HavenPolicies.MfaEnrolment)
            .WithSummary("Confirm enrolment with a code: turns two-step verification on and returns 10 single-use recovery codes")
            .WithDescription("In a restricted session (staff without two-step verification) the answer also carries new, unrestricted tokens " +
                             "that replace the session's old ones.");
        mfa.MapPost("/disable", DisableAsync).WithName("auth_mfa_disable")
            .RequireAuthorization(HavenPolicies.SignedIn)
            .WithSummary("Turn two-step verification off (password and a current code required; refused for staff roles)");
        mfa.MapPost("/recovery-codes", RegenerateAsync).WithName("auth_mfa_recovery_codes")
            .RequireAuthorization(HavenPolicies.SignedIn)
            .WithSummary("Replace all recovery codes with 10 new ones (a current code required)");
    }

    private static async Task<Results<Ok<MfaEnrolmentResponse>, ProblemHttpResult>> EnrolAsync(
        ICurrentUser current, PlatformDbContext db, MfaService mfa, CancellationToken cancellationToken)
    {
        var userId = current.UserId!.Value;
        if (await mfa.IsEnabledAsync(userId, cancellationToken))
        {
            return IdentityErrors.MfaAlreadyEnabled.ToProblem();
        }

        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        var (secret, uri) = await mfa.BeginEnrolmentAsync(user, cancellationToken);
        return TypedResults.Ok(new MfaEnrolmentResponse(secret, uri));
    }

    private static async Task<Results<Ok<MfaVerifiedResponse>, ProblemHttpResult>> VerifyAsync(
        MfaCodeRequest request, ICurrentUser current, MfaEnrolmentFlow enrolment, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (confirmed, error) = await enrolment.ConfirmAsync(current.UserId!.Value, current.SessionId!.Value, request.Code, cancellationToken);
        if (error is not null)
        {
            return error.ToProblem();
        }

        var wasRestricted = RestrictedSessionHandler.IsRestricted(http.User);
        return TypedResults.Ok(new MfaVerifiedResponse(confirmed!.RecoveryCodes, wasRestricted ? TokenResponse.From(confirmed.Tokens, clock.GetUtcNow()) : null));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableAsync(
        MfaDisableRequest request, ICurrentUser current, PlatformDbContext db, MfaService mfa, IPasswordHasher<Data.HavenUser> hasher,
        IdentityAudit audit, CancellationToken cancellationToken)
    {
        var userId = current.UserId!.Value;
        if (current.Roles.Any(r => HavenRoles.RequiresMfa(r.Role)))
        {
            return IdentityErrors.MfaRequiredByRole.ToProblem();
        }

        if (!await mfa.IsEnabledAsync(userId, cancellationToken))
        {
            return IdentityErrors.MfaNotEnabled.ToProblem();
        }

        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        if (user.PasswordHash is null || hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password) == PasswordVerificationResult.Failed)
        {
            return Errors.Validation("password", "The password is not correct.").ToProblem();
        }

        if (!await mfa.VerifyCodeAsync(userId, request.Code, cancellationToken))
        {
            return IdentityErrors.InvalidMfaCode.ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await mfa.DisableAsync(userId, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.MfaDisabled, userId, cancellationToken, new AuditChanges().Set("two_factor_enabled", true, false));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> RegenerateAsync(
        MfaCodeRequest request, ICurrentUser current, PlatformDbContext db, MfaService mfa, IdentityAudit audit, CancellationToken cancellationToken)
    {
        var userId = current.UserId!.Value;
        if (!await mfa.IsEnabledAsync(userId, cancellationToken))
        {
            return IdentityErrors.MfaNotEnabled.ToProblem();
        }

        if (!await mfa.VerifyCodeAsync(userId, request.Code, cancellationToken))
        {
            return IdentityErrors.InvalidMfaCode.ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var codes = await mfa.NewRecoveryCodesAsync(userId, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.RecoveryCodesReplaced, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }
}
