using Haven.Platform.Audit;
using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Identity.Audit;

/// <summary>
/// The identity changes written to the audit trail, each in the transaction of the change (module <c>platform</c>,
/// resource <c>user</c> = the account concerned, except tenants). No email, name or secret is ever put in an entry:
/// the trail cannot be erased, so it names accounts by id.
/// <para>
/// Not in the trail, on purpose: sign-ins, failed sign-ins, lockouts and reset requests. Anyone on the internet can
/// cause those at will, and the chain is permanent and serialised by one lock, so they would let an attacker grow it
/// without limit and slow every module's writes; and a survivor's sign-ins would become an undeletable history of the
/// places they signed in from. They are kept in <c>login_events</c> (with client address and device, shown to the user
/// and their admins, deleted after <c>Haven:Identity:LoginEventRetentionDays</c>). Ending one's own session (logout) is
/// likewise session bookkeeping; sessions ended by an admin or by a security rule are in the trail.
/// </para>
/// </summary>
public static class IdentityAuditActions
{
    public const string UserRegistered = "platform.user.registered";
    public const string UserCreated = "platform.user.created";
    public const string UserInvited = "platform.user.invited";
    public const string InvitationAccepted = "platform.user.invitation_accepted";
    public const string UserUpgraded = "platform.user.upgraded";
    public const string UserRenamed = "platform.user.renamed";
    public const string UserDeactivated = "platform.user.deactivated";
    public const string UserReactivated = "platform.user.reactivated";
    public const string PasswordChanged = "platform.user.password_changed";
    public const string PasswordReset = "platform.user.password_reset";
    public const string SessionsRevoked = "platform.user.sessions_revoked";
    public const string RoleGranted = "platform.role.granted";
    public const string RoleRevoked = "platform.role.revoked";
    public const string MfaEnabled = "platform.mfa.enabled";
    public const string MfaDisabled = "platform.mfa.disabled";
    public const string RecoveryCodeUsed = "platform.mfa.recovery_code_used";
    public const string RecoveryCodesReplaced = "platform.mfa.recovery_codes_replaced";
    public const string TenantCreated = "platform.tenant.created";
}

/// <summary>Appends identity's entries to the caller's transaction on <see cref="PlatformDbContext"/>.</summary>
internal sealed class IdentityAudit(PlatformDbContext db, IAuditTrail trail)
{
    /// <summary>Provisioning from code (demo data, the create-admin command) when nobody is signed in.</summary>
    public static readonly AuditActor Provisioning = AuditActor.System("platform.provisioning");

    /// <summary>
    /// Records <paramref name="action"/> on the account <paramref name="userId"/>. The tenant defaults to the account's
    /// one tenant (if all its role grants share one), so that tenant's administrators see what happened to their users.
    /// The actor defaults to the signed-in caller; pass it for callers who prove who they are otherwise (an emailed
    /// token, a new registration).
    /// </summary>
    public async Task RecordAsync(
        string action, Guid userId, CancellationToken cancellationToken,
        AuditChanges? changes = null, string? note = null, Guid? tenantId = null, AuditActor? actor = null)
    {
        var tenant = tenantId ?? await TenantOfAsync(userId, cancellationToken);
        await trail.AppendAsync(db, new AuditEvent(action, "user", userId)
        {
            TenantId = tenant,
            Changes = changes ?? new AuditChanges(),
            Note = note,
            Actor = actor,
        }, cancellationToken);
    }

    /// <summary>The account itself as the actor: someone who just registered, or proved who they are with an emailed token.</summary>
    public static AuditActor Self(Guid userId) => new(AuditActor.UserType, userId, null, null, []);

    private async Task<Guid?> TenantOfAsync(Guid userId, CancellationToken cancellationToken)
    {
        // Two are enough to know the tenant is ambiguous; the order only keeps the query deterministic.
        var tenants = await db.RoleGrants.Where(g => g.UserId == userId && g.TenantId != null).Select(g => g.TenantId).Distinct().OrderBy(t => t).Take(2)
            .ToListAsync(cancellationToken);
        return tenants.Count == 1 ? tenants[0] : null;
    }
}
