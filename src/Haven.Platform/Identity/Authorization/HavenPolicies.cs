using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Haven.Platform.Identity;

/// <summary>
/// Authorization policies, named after the roles they admit, so an endpoint reads
/// <c>.RequireAuthorization(HavenPolicies.Lers.Approver)</c>. A role policy admits a holder of the role in any tenant;
/// which rows a holder may touch is the endpoint's resource check (compare <see cref="ICurrentUser.TenantFor"/>), and a
/// row outside it answers 404. Every policy refuses a restricted session (staff without a second factor) except
/// <see cref="MfaEnrolment"/>.
/// </summary>
public static class HavenPolicies
{
    /// <summary>Any signed-in user with a full (not restricted) session, whatever their roles.</summary>
    public const string SignedIn = "signed_in";

    /// <summary>Any signed-in user, including a staff session still waiting to enrol its second factor.</summary>
    public const string MfaEnrolment = "mfa_enrolment";

    /// <summary>Administrators of users: platform admin, or a module admin role (scoped to its tenant when the grant names one).</summary>
    public const string UserAdmin = "user_admin";

    public static class Platform
    {
        public const string Admin = HavenRoles.Platform.Admin;
    }

    public static class Kintaraa
    {
        public const string Survivor = HavenRoles.Kintaraa.Survivor;
        public const string Provider = HavenRoles.Kintaraa.Provider;
        public const string Admin = HavenRoles.Kintaraa.Admin;

        /// <summary>Provider or admin.</summary>
        public const string Staff = "kintaraa.staff";
    }

    public static class Lers
    {
        public const string Io = HavenRoles.Lers.Io;
        public const string Approver = HavenRoles.Lers.Approver;
        public const string Provider = HavenRoles.Lers.Provider;
        public const string SuperAdmin = HavenRoles.Lers.SuperAdmin;

        /// <summary>Any LERS role.</summary>
        public const string Staff = "lers.staff";
    }

    public static class Pss
    {
        public const string Candidate = HavenRoles.Pss.Candidate;
        public const string Admin = HavenRoles.Pss.Admin;
        public const string Superuser = HavenRoles.Pss.Superuser;

        /// <summary>Admin or superuser.</summary>
        public const string Staff = "pss.staff";
    }

    public static class Ndas
    {
        public const string Clinician = HavenRoles.Ndas.Clinician;
        public const string Receptionist = HavenRoles.Ndas.Receptionist;
        public const string Admin = HavenRoles.Ndas.Admin;

        /// <summary>Any NDAS role.</summary>
        public const string Staff = "ndas.staff";
    }

    /// <summary>Policy name to the roles it admits (for the API docs, the authorization-matrix tests, and registration).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> RolePolicies = BuildRolePolicies();

    /// <summary>Admits holders of any of <paramref name="roles"/> (in any tenant); the building block of every role policy.</summary>
    public static AuthorizationPolicyBuilder RequireHavenRole(this AuthorizationPolicyBuilder builder, params string[] roles) =>
        builder.RequireAuthenticatedUser().AddRequirements(new HavenRoleRequirement(roles));

    internal static void Register(AuthorizationOptions options)
    {
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        options.AddPolicy(MfaEnrolment, p => p.RequireAuthenticatedUser());
        foreach (var (name, roles) in RolePolicies)
        {
            options.AddPolicy(name, p => p.RequireHavenRole([.. roles]));
        }
    }

    private static Dictionary<string, IReadOnlyList<string>> BuildRolePolicies()
    {
        var policies = HavenRoles.All.ToDictionary(r => r, r => (IReadOnlyList<string>)[r]);
        policies[UserAdmin] = [.. HavenRoles.UserAdmins];
        policies[Kintaraa.Staff] = [Kintaraa.Provider, Kintaraa.Admin];
        policies[Lers.Staff] = [Lers.Io, Lers.Approver, Lers.Provider, Lers.SuperAdmin];
        policies[Pss.Staff] = [Pss.Admin, Pss.Superuser];
        policies[Ndas.Staff] = [Ndas.Clinician, Ndas.Receptionist, Ndas.Admin];
        return policies;
    }
}

/// <summary>Met when the principal holds one of the roles (a <see cref="HavenClaims.Role"/> claim, tenant suffix ignored).</summary>
public sealed class HavenRoleRequirement(IReadOnlyList<string> roles) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

internal sealed class HavenRoleHandler : AuthorizationHandler<HavenRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, HavenRoleRequirement requirement)
    {
        if (context.User.FindAll(HavenClaims.Role).Any(c => requirement.Roles.Contains(RoleGrant.Parse(c.Value).Role, StringComparer.Ordinal)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// A restricted session (staff who has not enrolled a second factor) fails every authorization — the fallback policy
/// included — except on endpoints whose policy is <see cref="HavenPolicies.MfaEnrolment"/>.
/// </summary>
internal sealed class RestrictedSessionHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (!IsRestricted(context.User))
        {
            return Task.CompletedTask;
        }

        var endpoint = (context.Resource as HttpContext)?.GetEndpoint();
        var allowsEnrolment = endpoint?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == HavenPolicies.MfaEnrolment) == true;
        if (!allowsEnrolment)
        {
            context.Fail(new AuthorizationFailureReason(this, "The session must enrol a second factor first."));
        }

        return Task.CompletedTask;
    }

    public static bool IsRestricted(ClaimsPrincipal user) => user.HasClaim(HavenClaims.Restricted, "true");
}
