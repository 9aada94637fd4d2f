using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Data;
using Haven.Platform.Identity.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.SelfService;

/// <summary>
/// Closes the platform account behind a survivor's erasure request, through the identity store's public API. The
/// platform offers no account-deletion service to modules yet; this is the one place Kintaraa touches the identity
/// store, so it can be replaced by that service without changing anything else. An account that holds roles in other
/// modules is not deleted: only its survivor role is removed (and its tokens lose it at once).
/// </summary>
public sealed class AccountClosure(UserManager<HavenUser> users, PlatformDbContext platform)
{
    /// <summary>True when the whole account was deleted; false when only the survivor role was removed.</summary>
    public async Task<bool> CloseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var grants = await platform.RoleGrants.Where(g => g.UserId == userId).ToListAsync(cancellationToken);
        if (grants.All(g => g.Role == KintaraaRoles.Survivor))
        {
            if (await users.FindByIdAsync(userId.ToString()) is { } user)
            {
                var result = await users.DeleteAsync(user);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException("The account could not be deleted: " + string.Join("; ", result.Errors.Select(e => e.Code)));
                }
            }

            return true;
        }

        await platform.RoleGrants.Where(g => g.UserId == userId && g.Role == KintaraaRoles.Survivor).ExecuteDeleteAsync(cancellationToken);
        await platform.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.AuthzVersion, x => x.AuthzVersion + 1), cancellationToken);
        return false;
    }
}
