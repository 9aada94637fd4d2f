using Haven.Platform.Identity;

namespace Haven.Pss.Access;

/// <summary>
/// The caller's standing in PSS, read from their role grants: a candidate reaches only their own data; an admin the
/// candidates of the programmes (tenants) their <c>pss.admin</c> grants name; a superuser every candidate. An admin grant
/// without a programme reaches no candidate: admins are always appointed to a programme.
/// </summary>
public sealed class PssCaller(ICurrentUser user)
{
    public Guid UserId => user.UserId ?? throw new InvalidOperationException("PSS endpoints require a signed-in user.");

    public bool IsCandidate => user.HasRole(HavenRoles.Pss.Candidate);

    public bool IsAdmin => user.HasRole(HavenRoles.Pss.Admin);

    public bool IsSuperuser => user.HasRole(HavenRoles.Pss.Superuser);

    public bool IsStaff => IsAdmin || IsSuperuser;

    /// <summary>The programmes whose candidates this caller administers.</summary>
    public IReadOnlyList<Guid> AdminTenants =>
        [.. user.Roles.Where(r => r.Role == HavenRoles.Pss.Admin && r.TenantId is not null).Select(r => r.TenantId!.Value).Distinct()];

    /// <summary>Null for a superuser (every programme, and candidates in none); otherwise the admin's programmes (possibly none).</summary>
    public IReadOnlyCollection<Guid>? StaffScope => IsSuperuser ? null : IsAdmin ? AdminTenants : [];

    /// <summary>Whether a staff caller's scope covers a candidate holding the role in <paramref name="candidateTenants"/>.</summary>
    public bool Covers(IReadOnlyList<Guid> candidateTenants) =>
        IsSuperuser || (IsAdmin && candidateTenants.Intersect(AdminTenants).Any());

    /// <summary>The programmes this caller may see statistics for, narrowed to <paramref name="requested"/> when given (null = all).</summary>
    public IReadOnlyCollection<Guid>? StatsScope(Guid? requested) =>
        requested is { } tenant ? (IsSuperuser || AdminTenants.Contains(tenant) ? [tenant] : []) : StaffScope;
}
