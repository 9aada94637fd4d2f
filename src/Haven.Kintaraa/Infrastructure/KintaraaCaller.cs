using Haven.Kintaraa.Data;
using Haven.Platform.Identity;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>The signed-in caller as Kintaraa sees them: their user id, which Kintaraa roles they hold, their provider profile.</summary>
public sealed class KintaraaCaller(ICurrentUser user, KintaraaDbContext db)
{
    private Provider? _provider;
    private bool _providerLoaded;

    public Guid UserId => user.UserId ?? throw new InvalidOperationException("Kintaraa endpoints require a signed-in user.");

    public bool IsAdmin => user.HasRole(KintaraaRoles.Admin) || user.HasRole(KintaraaRoles.PlatformAdmin);

    public bool IsSurvivor => user.HasRole(KintaraaRoles.Survivor);

    public bool IsProvider => user.HasRole(KintaraaRoles.Provider);

    /// <summary>The provider type carried by the caller's provider grant.</summary>
    public ProviderType? GrantedProviderType =>
        IsProvider && SnakeEnum<ProviderType>.TryParse(user.ProviderType, out var type) ? type : null;

    /// <summary>The tenant (organisation) of the caller's provider grant, if it names one.</summary>
    public Guid? ProviderTenant => user.Roles.FirstOrDefault(r => r.Role == KintaraaRoles.Provider)?.TenantId;

    public ICurrentUser User => user;

    /// <summary>The caller's provider profile (tracked), or null when they are not a provider or have not created one.</summary>
    public async Task<Provider?> ProviderAsync(CancellationToken cancellationToken)
    {
        if (!_providerLoaded && IsProvider)
        {
            _provider = await db.Providers.FirstOrDefaultAsync(p => p.UserId == UserId, cancellationToken);
        }

        _providerLoaded = true;
        return _provider;
    }
}

public static class KintaraaRoles
{
    public const string Survivor = HavenRoles.Kintaraa.Survivor;
    public const string Provider = HavenRoles.Kintaraa.Provider;
    public const string Admin = HavenRoles.Kintaraa.Admin;
    public const string PlatformAdmin = HavenRoles.Platform.Admin;
}
