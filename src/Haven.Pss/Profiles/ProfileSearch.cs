using System.Text.RegularExpressions;
using Haven.Platform.Crypto;
using Haven.Pss.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Profiles;

/// <summary>
/// Finds candidates by ID number without decrypting anything: an exact match on the keyed blind index (letters and
/// digits only, case ignored). Only a search that looks like an ID number is tried.
/// </summary>
public sealed partial class ProfileSearch(PssDbContext db)
{
    public async Task<IReadOnlyList<Guid>> ByIdNumberAsync(string idNumber, CancellationToken cancellationToken)
    {
        if (!IdNumberLike().IsMatch(idNumber.Trim()))
        {
            return [];
        }

        return await db.Profiles.AsNoTracking().WhereBlindIndexEquals(p => p.IdNumber, idNumber).Select(p => p.UserId).ToListAsync(cancellationToken);
    }

    // At least six digits among letters, digits, spaces and hyphens: an ID or passport number, not a name.
    [GeneratedRegex(@"^(?=(?:[^0-9]*[0-9]){6})[A-Za-z0-9 \-]{6,30}$")]
    private static partial Regex IdNumberLike();
}
