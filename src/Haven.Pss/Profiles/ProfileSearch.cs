using Haven.Pss.Data;

namespace Haven.Pss.Profiles;

/// <summary>
/// Finds candidates by ID number without decrypting anything: an exact match on the keyed blind index.
/// SEAM(kernel field encryption): answers nothing until the kernel's blind index is wired in.
/// </summary>
public sealed class ProfileSearch(PssDbContext db)
{
    public Task<IReadOnlyList<Guid>> ByIdNumberAsync(string idNumber, CancellationToken cancellationToken)
    {
        _ = db;
        _ = idNumber;
        _ = cancellationToken;
        return Task.FromResult<IReadOnlyList<Guid>>([]);
    }
}
