using Haven.Platform.Data;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Sessions;

namespace Haven.Platform.Identity.Audit;

/// <summary>Records every sign-in attempt with its client address and parsed user agent (<c>platform.login_events</c>).</summary>
internal sealed class LoginAudit(PlatformDbContext db, TimeProvider clock)
{
    public async Task RecordAsync(
        Guid? userId, Guid? sessionId, string method, string? failureReason, ClientInfo client, CancellationToken cancellationToken)
    {
        var agent = UserAgentParser.Parse(client.UserAgent);
        var now = clock.GetUtcNow();
        db.LoginEvents.Add(new LoginEvent
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            SessionId = sessionId,
            OccurredAt = now,
            Succeeded = failureReason is null,
            Method = method,
            FailureReason = failureReason,
            ClientAddress = client.Address,
            UserAgent = client.UserAgent,
            Device = agent.Device,
            OperatingSystem = agent.OperatingSystem,
            Browser = agent.Browser,
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}

public static class LoginMethods
{
    public const string Password = "password";
    public const string Mfa = "mfa";
    public const string Device = "device";
}

public static class LoginFailures
{
    public const string InvalidCredentials = "invalid_credentials";
    public const string UnknownAccount = "unknown_account";
    public const string LockedOut = "locked_out";
    public const string Deactivated = "deactivated";
    public const string InvalidMfaCode = "invalid_mfa_code";
    public const string Throttled = "throttled";
}
