using Haven.Platform.Identity;
using Microsoft.AspNetCore.Authorization;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>
/// The Kintaraa authorization policies, by who may call; which cases they reach is then decided by
/// <see cref="Cases.CaseAccess"/>. Platform admins count as Kintaraa admins.
/// </summary>
public static class KintaraaPolicies
{
    /// <summary>Survivors, providers and admins (Kintaraa or platform).</summary>
    public const string Member = "kintaraa.member";

    public const string Survivor = HavenPolicies.Kintaraa.Survivor;

    public const string Provider = HavenPolicies.Kintaraa.Provider;

    /// <summary>Kintaraa admins and platform admins.</summary>
    public const string Admin = "kintaraa.admins";

    /// <summary>Providers and admins.</summary>
    public const string Staff = "kintaraa.case_staff";

    /// <summary>Survivors and admins (who may act on a survivor's referrals, e.g. revoke one).</summary>
    public const string SurvivorOrAdmin = "kintaraa.survivor_or_admin";

    /// <summary>Adds the policies through options only (no authorization services), so CLI hosts without endpoints still build.</summary>
    public static void Register(AuthorizationOptions options)
    {
        options.AddPolicy(Member, p => p.RequireHavenRole(KintaraaRoles.Survivor, KintaraaRoles.Provider, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
        options.AddPolicy(Admin, p => p.RequireHavenRole(KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
        options.AddPolicy(Staff, p => p.RequireHavenRole(KintaraaRoles.Provider, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
        options.AddPolicy(SurvivorOrAdmin, p => p.RequireHavenRole(KintaraaRoles.Survivor, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
    }
}
