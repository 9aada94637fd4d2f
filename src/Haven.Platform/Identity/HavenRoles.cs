namespace Haven.Platform.Identity;

/// <summary>
/// Every role Haven knows, scoped per module (<c>module.role</c>). A grant of a role may carry a tenant
/// (<see cref="RoleGrant"/>). Policies of the same names live in <see cref="HavenPolicies"/>.
/// </summary>
public static class HavenRoles
{
    public static class Platform
    {
        /// <summary>Operates the whole installation: every tenant, every module's users.</summary>
        public const string Admin = "platform.admin";
    }

    public static class Kintaraa
    {
        public const string Survivor = "kintaraa.survivor";

        /// <summary>A service provider; the grant carries a <see cref="ProviderTypes">provider type</see>.</summary>
        public const string Provider = "kintaraa.provider";

        public const string Admin = "kintaraa.admin";
    }

    public static class Lers
    {
        /// <summary>Investigating officer (police station tenant).</summary>
        public const string Io = "lers.io";

        /// <summary>SHO/DSP/SP approving requests (police station tenant).</summary>
        public const string Approver = "lers.approver";

        /// <summary>Data provider staff (provider company tenant).</summary>
        public const string Provider = "lers.provider";

        public const string SuperAdmin = "lers.super_admin";
    }

    public static class Pss
    {
        public const string Candidate = "pss.candidate";
        public const string Admin = "pss.admin";
        public const string Superuser = "pss.superuser";
    }

    public static class Ndas
    {
        public const string Clinician = "ndas.clinician";
        public const string Receptionist = "ndas.receptionist";
        public const string Admin = "ndas.admin";
    }

    public static readonly IReadOnlyList<string> All =
    [
        Platform.Admin,
        Kintaraa.Survivor, Kintaraa.Provider, Kintaraa.Admin,
        Lers.Io, Lers.Approver, Lers.Provider, Lers.SuperAdmin,
        Pss.Candidate, Pss.Admin, Pss.Superuser,
        Ndas.Clinician, Ndas.Receptionist, Ndas.Admin,
    ];

    /// <summary>Roles anyone may take by registering themselves; every other role is granted by an admin.</summary>
    public static readonly IReadOnlySet<string> SelfService = new HashSet<string>(StringComparer.Ordinal) { Kintaraa.Survivor, Pss.Candidate };

    /// <summary>Roles that administer the users of their module (inside their tenant when the grant names one).</summary>
    public static readonly IReadOnlySet<string> UserAdmins = new HashSet<string>(StringComparer.Ordinal)
    {
        Platform.Admin, Kintaraa.Admin, Lers.SuperAdmin, Pss.Admin, Pss.Superuser, Ndas.Admin,
    };

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    /// <summary>Staff roles: everyone but survivors and candidates must sign in with a second factor.</summary>
    public static bool RequiresMfa(string role) => IsKnown(role) && !SelfService.Contains(role);

    public static string ModuleOf(string role) => role[..role.IndexOf('.')];
}

/// <summary>Kintaraa provider types (seed 001 <c>service_providers.provider_type</c>), carried by a <see cref="HavenRoles.Kintaraa.Provider"/> grant.</summary>
public static class ProviderTypes
{
    public const string Healthcare = "healthcare";
    public const string Legal = "legal";
    public const string Police = "police";
    public const string Counseling = "counseling";
    public const string Social = "social";
    public const string GbvRescue = "gbv_rescue";
    public const string Chw = "chw";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Healthcare, Legal, Police, Counseling, Social, GbvRescue, Chw,
    };
}
