using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Mail;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Identity.Tokens;
using Haven.Platform.Modules;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Accounts;

/// <summary>Account life cycle: self-registration, anonymous devices and their upgrade, passwords, emailed tokens.</summary>
internal sealed class AccountService(
    PlatformDbContext db,
    UserManager<HavenUser> users,
    IPasswordHasher<HavenUser> hasher,
    LoginService logins,
    SessionService sessions,
    AccountMailer mailer,
    IdentityAudit audit,
    ModuleCatalog modules,
    TimeProvider clock,
    IOptions<HavenIdentityOptions> options)
{
    public async Task<(IssuedTokens? Tokens, Error? Error)> RegisterAsync(
        string module, string role, string email, string password, string? displayName, Guid? tenantId, ClientInfo client, CancellationToken cancellationToken)
    {
        var qualified = role.Contains('.', StringComparison.Ordinal) ? role : $"{module}.{role}";
        if (!HavenRoles.SelfService.Contains(qualified) || HavenRoles.ModuleOf(qualified) != module || !modules.IsEnabled(module))
        {
            return (null, IdentityErrors.RegistrationNotAllowed(qualified));
        }

        if (tenantId is { } tenant && !await db.Tenants.AnyAsync(t => t.Id == tenant && t.Module == module && t.IsActive, cancellationToken))
        {
            return (null, Errors.Validation("tenant_id", "No such tenant in this module."));
        }

        // The account, its role, its audit entries and its first session commit together, or nothing does.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (user, error) = await CreateUserAsync(email, password, displayName, "password", cancellationToken);
        if (user is null)
        {
            return (null, error);
        }

        var self = IdentityAudit.Self(user.Id);
        await audit.RecordAsync(IdentityAuditActions.UserRegistered, user.Id, cancellationToken,
            new AuditChanges().Set("method", null, LoginMethods.Password), tenantId: tenantId, actor: self);
        await AddGrantAsync(user.Id, qualified, tenantId, null, null, cancellationToken, self);
        var tokens = await logins.StartAsync(user, LoginMethods.Password, mfaVerified: false, client, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (tokens, null);
    }

    /// <summary>Creates an anonymous Kintaraa survivor bound to a device credential (no email, no password).</summary>
    public async Task<(IssuedTokens? Tokens, Error? Error)> RegisterDeviceAsync(string deviceId, string deviceSecret, ClientInfo client, CancellationToken cancellationToken)
    {
        if (!modules.IsEnabled(HavenRoles.ModuleOf(HavenRoles.Kintaraa.Survivor)))
        {
            return (null, IdentityErrors.RegistrationNotAllowed(HavenRoles.Kintaraa.Survivor));
        }

        if (await db.DeviceCredentials.AnyAsync(d => d.DeviceId == deviceId, cancellationToken))
        {
            return (null, IdentityErrors.DeviceTaken);
        }

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var user = new HavenUser { Id = id, UserName = "anonymous-" + id.ToString("N"), IsAnonymous = true, CreatedAt = now, UpdatedAt = now };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException("Creating an anonymous user failed: " + string.Join(", ", created.Errors.Select(e => e.Code)));
        }

        db.DeviceCredentials.Add(new DeviceCredential
        {
            Id = Guid.CreateVersion7(now),
            UserId = user.Id,
            DeviceId = deviceId,
            SecretHash = Secrets.Hash(deviceSecret),
            CreatedAt = now,
            LastUsedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Two registrations of the same device raced; the other one won. The rollback removes this account.
            return (null, IdentityErrors.DeviceTaken);
        }

        var self = IdentityAudit.Self(user.Id);
        await audit.RecordAsync(IdentityAuditActions.UserRegistered, user.Id, cancellationToken,
            new AuditChanges().Set("method", null, LoginMethods.Device), actor: self);
        await AddGrantAsync(user.Id, HavenRoles.Kintaraa.Survivor, null, null, null, cancellationToken, self);
        var tokens = await logins.StartAsync(user, LoginMethods.Device, mfaVerified: false, client, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (tokens, null);
    }

    /// <summary>Gives an anonymous account an email and password; the user id, and so all the survivor's data, stay the same.</summary>
    public async Task<Error?> UpgradeAsync(Guid userId, string email, string password, string? displayName, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        if (!user.IsAnonymous)
        {
            return IdentityErrors.NotAnonymous;
        }

        if (await EmailTakenAsync(email, cancellationToken))
        {
            return IdentityErrors.EmailTaken;
        }

        user.Email = email;
        user.UserName = email;
        user.DisplayName = displayName ?? user.DisplayName;
        var error = await SetPasswordAsync(user, password, "password");
        if (error is not null)
        {
            return error;
        }

        user.IsAnonymous = false;
        error = await SaveUserAsync(user, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        await audit.RecordAsync(IdentityAuditActions.UserUpgraded, userId, cancellationToken,
            new AuditChanges().Set("is_anonymous", true, false).Redacted("email").Redacted("password"));
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    public async Task<Error?> ChangePasswordAsync(Guid userId, Guid sessionId, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        if (user.PasswordHash is null || hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            return Errors.Validation("current_password", "The current password is not correct.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var error = await SetPasswordAsync(user, newPassword, "new_password") ?? await SaveUserAsync(user, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        // Whoever else knew the old password loses their sessions; this one stays signed in.
        var ended = await sessions.RevokeAllAsync(userId, RevocationReasons.PasswordChanged, sessionId, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.PasswordChanged, userId, cancellationToken,
            new AuditChanges().Redacted("password").Set("other_sessions_ended", null, ended));
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Emails a reset link when the address belongs to an active account; answers the same either way.</summary>
    public async Task RequestPasswordResetAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = users.NormalizeEmail(email);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized && u.IsActive, cancellationToken);
        if (user?.Email is null)
        {
            return;
        }

        var token = await NewAccountTokenAsync(user.Id, AccountTokenPurposes.PasswordReset, TimeSpan.FromMinutes(options.Value.PasswordResetMinutes), cancellationToken);
        mailer.Enqueue(new OutgoingMail(user.Email, "Reset your Haven password",
            $"""
            Someone asked to reset the password of your Haven account. If it was you, open this link within {options.Value.PasswordResetMinutes} minutes:

            {Link("/account/reset-password", token)}

            If it was not you, ignore this message; your password stays as it is.
            """));
    }

    /// <summary>Sets a new password with a reset token: the token is spent, every session ends and the lockout clears.</summary>
    public Task<Error?> ResetPasswordAsync(string token, string newPassword, CancellationToken cancellationToken) =>
        ConsumeAsync(token, AccountTokenPurposes.PasswordReset, newPassword, null, cancellationToken);

    /// <summary>An invited user chooses their password.</summary>
    public Task<Error?> AcceptInvitationAsync(string token, string password, string? displayName, CancellationToken cancellationToken) =>
        ConsumeAsync(token, AccountTokenPurposes.Invitation, password, displayName, cancellationToken);

    public async Task SendInvitationAsync(HavenUser user, string role, CancellationToken cancellationToken)
    {
        var token = await NewAccountTokenAsync(user.Id, AccountTokenPurposes.Invitation, TimeSpan.FromHours(options.Value.InvitationHours), cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.UserInvited, user.Id, cancellationToken, new AuditChanges().Set("role", null, role));
        mailer.Enqueue(new OutgoingMail(user.Email!, "You are invited to Haven",
            $"""
            You have been given the role {role} in Haven. Choose your password within {options.Value.InvitationHours} hours:

            {Link("/account/accept-invitation", token)}

            Your role requires two-step verification: after choosing a password you will be asked to set up an authenticator app.
            """));
    }

    /// <summary>Creates a named user (validated email and password), without roles.</summary>
    public async Task<(HavenUser? User, Error? Error)> CreateUserAsync(
        string email, string? password, string? displayName, string passwordField, CancellationToken cancellationToken)
    {
        if (await EmailTakenAsync(email, cancellationToken))
        {
            return (null, IdentityErrors.EmailTaken);
        }

        var now = clock.GetUtcNow();
        var user = new HavenUser { Id = Guid.CreateVersion7(now), Email = email, UserName = email, DisplayName = displayName, CreatedAt = now, UpdatedAt = now };
        IdentityResult result;
        try
        {
            result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent registration of the same email won the race.
            db.Entry(user).State = EntityState.Detached;
            return (null, IdentityErrors.EmailTaken);
        }

        if (result.Succeeded)
        {
            return (user, null);
        }

        if (result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName"))
        {
            return (null, IdentityErrors.EmailTaken);
        }

        return (null, ToError(result, passwordField));
    }

    /// <summary>Grants a role, in the caller's transaction or one of its own, with its audit entry (by <paramref name="actor"/>, default the caller).</summary>
    public async Task<UserRoleGrant> AddGrantAsync(
        Guid userId, string role, Guid? tenantId, string? providerType, Guid? grantedBy, CancellationToken cancellationToken, AuditActor? actor = null)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var grant = new UserRoleGrant
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Role = role,
            TenantId = tenantId,
            ProviderType = providerType,
            GrantedAt = now,
            GrantedBy = grantedBy,
        };
        db.RoleGrants.Add(grant);
        await db.SaveChangesAsync(cancellationToken);
        await sessions.BumpAuthzVersionAsync(userId, cancellationToken);
        await audit.RecordAsync(IdentityAuditActions.RoleGranted, userId, cancellationToken, GrantChanges(grant, added: true), tenantId: tenantId, actor: actor);
        await transaction.CommitAsync(cancellationToken);
        return grant;
    }

    /// <summary>A grant's fields as an audit entry's changes: added (old values empty) or removed (new values empty).</summary>
    public static AuditChanges GrantChanges(UserRoleGrant grant, bool added)
    {
        var changes = new AuditChanges();
        foreach (var (field, value) in new (string, object?)[] { ("grant_id", grant.Id), ("role", grant.Role), ("tenant_id", grant.TenantId), ("provider_type", grant.ProviderType) })
        {
            changes.Set(field, added ? null : value, added ? value : null);
        }

        return changes;
    }

    public async Task<bool> EmailTakenAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = users.NormalizeEmail(email);
        return await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }

    private async Task<Error?> ConsumeAsync(string token, string purpose, string password, string? displayName, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = Secrets.Hash(token);
        var row = await db.AccountTokens.AsNoTracking()
            .FirstOrDefaultAsync(t => t.TokenHash == hash && t.Purpose == purpose && t.UsedAt == null && t.ExpiresAt > now, cancellationToken);
        var user = row is null ? null : await db.Users.FirstOrDefaultAsync(u => u.Id == row.UserId && u.IsActive, cancellationToken);
        if (row is null || user is null)
        {
            return IdentityErrors.InvalidToken;
        }

        var error = await SetPasswordAsync(user, password, purpose == AccountTokenPurposes.Invitation ? "password" : "new_password");
        if (error is not null)
        {
            return error;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var spent = await db.AccountTokens.Where(t => t.Id == row.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (spent == 0)
        {
            return IdentityErrors.InvalidToken;
        }

        // Following the link proved the address; a reset also lifts a lockout the owner may be stuck in.
        user.EmailConfirmed = true;
        user.DisplayName = displayName ?? user.DisplayName;
        user.AccessFailedCount = 0;
        user.LockoutCount = 0;
        user.LockoutEnd = null;
        error = await SaveUserAsync(user, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var ended = await sessions.RevokeAllAsync(user.Id, RevocationReasons.PasswordReset, null, cancellationToken);
        // The token proved who they are: they are the actor, though not signed in.
        await audit.RecordAsync(
            purpose == AccountTokenPurposes.Invitation ? IdentityAuditActions.InvitationAccepted : IdentityAuditActions.PasswordReset,
            user.Id, cancellationToken, new AuditChanges().Redacted("password").Set("sessions_ended", null, ended), actor: IdentityAudit.Self(user.Id));
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    private async Task<string> NewAccountTokenAsync(Guid userId, string purpose, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var token = Secrets.NewToken();
        db.AccountTokens.Add(new AccountToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Purpose = purpose,
            TokenHash = Secrets.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    /// <summary>Validates and hashes a new password onto the (tracked) user; the caller saves.</summary>
    private async Task<Error?> SetPasswordAsync(HavenUser user, string password, string field)
    {
        var failures = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            failures.AddRange(result.Errors);
        }

        if (failures.Count > 0)
        {
            return Errors.Validation(new Dictionary<string, string[]> { [field] = [.. failures.Select(f => f.Description)] });
        }

        user.PasswordHash = hasher.HashPassword(user, password);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        return null;
    }

    private async Task<Error?> SaveUserAsync(HavenUser user, CancellationToken cancellationToken)
    {
        user.UpdatedAt = clock.GetUtcNow();
        var result = await users.UpdateAsync(user);
        if (result.Succeeded)
        {
            return null;
        }

        return result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName") ? IdentityErrors.EmailTaken : ToError(result, "email");
    }

    private static Error ToError(IdentityResult result, string passwordField)
    {
        var errors = new FieldErrors();
        foreach (var error in result.Errors)
        {
            errors.Add(error.Code.StartsWith("Password", StringComparison.Ordinal) || error.Code == "password_rejected" ? passwordField : "email", error.Description);
        }

        return errors.ToError();
    }

    private string Link(string path, string token) => $"{options.Value.PublicBaseUrl.TrimEnd('/')}{path}?token={Uri.EscapeDataString(token)}";
}
