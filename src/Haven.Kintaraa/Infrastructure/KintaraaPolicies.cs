using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>The Kintaraa authorization policies, by who may call: row access is then decided by <see cref="Cases.CaseAccess"/>.</summary>
public static class KintaraaPolicies
{
    /// <summary>Survivors, providers and admins (Kintaraa or platform).</summary>
    public const string Member = "kintaraa.member";

    public const string Survivor = KintaraaRoles.Survivor;

    public const string Provider = KintaraaRoles.Provider;

    /// <summary>Kintaraa admins and platform admins.</summary>
    public const string Admin = "kintaraa.admins";

    /// <summary>Providers and admins.</summary>
    public const string Staff = "kintaraa.case_staff";

    /// <summary>Survivors and admins (who may act for a survivor, e.g. revoke a referral).</summary>
    public const string SurvivorOrAdmin = "kintaraa.survivor_or_admin";

    public static void Register(AuthorizationBuilder builder)
    {
        builder.AddPolicy(Member, p => RequireAny(p, KintaraaRoles.Survivor, KintaraaRoles.Provider, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
        builder.AddPolicy(Survivor, p => RequireAny(p, KintaraaRoles.Survivor));
        builder.AddPolicy(Provider, p => RequireAny(p, KintaraaRoles.Provider));
        builder.AddPolicy(Admin, p => RequireAny(p, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
        builder.AddPolicy(Staff, p => RequireAny(p, KintaraaRoles.Provider, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
        builder.AddPolicy(SurvivorOrAdmin, p => RequireAny(p, KintaraaRoles.Survivor, KintaraaRoles.Admin, KintaraaRoles.PlatformAdmin));
    }

    private static void RequireAny(AuthorizationPolicyBuilder policy, params string[] roles) =>
        policy.RequireAuthenticatedUser().RequireAssertion(c => c.User.FindAll("role").Any(claim =>
        {
            var value = claim.Value;
            var at = value.IndexOf('@');
            return roles.Contains(at < 0 ? value : value[..at], StringComparer.Ordinal);
        }));
}
