using Haven.Platform.Identity;
using Haven.Platform.Web;

namespace Haven.Pss.Access;

/// <summary>A PSS candidate as another feature sees them once access has been decided.</summary>
/// <param name="TenantId">The candidate's programme (the tenant of their candidate grant), if any.</param>
/// <param name="IsSelf">The caller is this candidate.</param>
public sealed record Candidate(Guid Id, string? Email, string? DisplayName, string Name, Guid? TenantId, bool IsSelf);

/// <summary>
/// The one place that decides whether the caller may reach a candidate's records: the candidate themselves, an admin
/// of the candidate's programme, or a superuser. Anyone else — another candidate, an admin of another programme — is
/// told the candidate does not exist (404), exactly like an unknown id.
/// </summary>
public sealed class CandidateAccess(PssCaller caller, IUserDirectory directory)
{
    public static readonly Error NotFound = Errors.NotFound("Candidate");

    /// <summary>The candidate, if the caller may see their records.</summary>
    public async Task<Outcome<Candidate>> ReadAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var isSelf = candidateId == caller.UserId && caller.IsCandidate;
        if (!isSelf && !caller.IsStaff)
        {
            return NotFound;
        }

        var user = await directory.FindAsync(candidateId, cancellationToken);
        if (user is null || !user.Holds(HavenRoles.Pss.Candidate))
        {
            return NotFound;
        }

        var tenants = user.TenantsOf(HavenRoles.Pss.Candidate);
        if (!isSelf && !caller.Covers(tenants))
        {
            return NotFound;
        }

        return ToCandidate(user, isSelf);
    }

    /// <summary>The candidate, if the caller is staff who may see them (notes and other staff-only records).</summary>
    public async Task<Outcome<Candidate>> StaffReadAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        if (!caller.IsStaff)
        {
            return NotFound;
        }

        var candidate = await ReadAsync(candidateId, cancellationToken);
        return candidate.Value is { IsSelf: true } ? NotFound : candidate;
    }

    /// <summary>The signed-in candidate themselves.</summary>
    public Task<Outcome<Candidate>> SelfAsync(CancellationToken cancellationToken) => ReadAsync(caller.UserId, cancellationToken);

    public static Candidate ToCandidate(DirectoryUser user, bool isSelf) =>
        new(user.Id, user.Email, user.DisplayName, user.Name, user.TenantsOf(HavenRoles.Pss.Candidate).Cast<Guid?>().FirstOrDefault(), isSelf);
}
