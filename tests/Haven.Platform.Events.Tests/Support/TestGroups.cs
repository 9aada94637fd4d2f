using System.Collections.Concurrent;
using Haven.Platform.Identity;
using Haven.Platform.Realtime;

namespace Haven.Platform.Events.Tests.Support;

/// <summary>
/// Who may see which test case: what a module's case table would answer. Tests grant access explicitly, so the
/// authorizer's "no" is exercised for both unknown cases and cases of other users.
/// </summary>
public sealed class CaseAccess
{
    private readonly ConcurrentDictionary<(string Case, Guid User), bool> _grants = new();

    public void Grant(string caseId, params Guid[] users)
    {
        foreach (var user in users)
        {
            _grants[(caseId, user)] = true;
        }
    }

    public bool Allows(string caseId, Guid user) => _grants.ContainsKey((caseId, user));
}

/// <summary><c>case:&lt;id&gt;</c>: members are the users the case grants access to.</summary>
public sealed class CaseGroupAuthorizer(CaseAccess access) : IGroupAuthorizer
{
    public ValueTask<bool> CanJoinAsync(ICurrentUser user, string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(user.UserId is { } me && access.Allows(id, me));
}

/// <summary><c>provider-dashboard:&lt;tenant&gt;</c>: providers of that tenant, judged from the role claims alone.</summary>
public sealed class DashboardGroupAuthorizer : IGroupAuthorizer
{
    public ValueTask<bool> CanJoinAsync(ICurrentUser user, string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Guid.TryParse(id, out var tenant) && user.Roles.Any(r => r.Role == "kintaraa.provider" && r.TenantId == tenant));
}
