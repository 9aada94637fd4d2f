using Haven.Platform.Identity;
using Microsoft.AspNetCore.Authorization;

namespace Haven.Pss.Access;

/// <summary>PSS's own policy on top of the platform's role policies (<see cref="HavenPolicies.Pss"/>).</summary>
public static class PssPolicies
{
    /// <summary>Any PSS role: candidate, admin or superuser. Which records they reach is <see cref="CandidateAccess"/>'s decision.</summary>
    public const string Member = "pss.member";

    public static void Register(AuthorizationOptions options) =>
        options.AddPolicy(Member, p => p.RequireHavenRole(HavenRoles.Pss.Candidate, HavenRoles.Pss.Admin, HavenRoles.Pss.Superuser));
}
