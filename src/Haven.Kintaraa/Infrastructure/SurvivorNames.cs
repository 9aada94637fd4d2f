using Haven.Kintaraa.Data;
using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>
/// How a survivor is named on a case: the display name of their account for a named report, never anything for an
/// anonymous one (there, everyone sees only the case handle). Names are read from the platform's user store.
/// </summary>
public sealed class SurvivorNames(PlatformDbContext platform)
{
    private readonly Dictionary<Guid, string?> _names = [];

    public async Task<string?> DisplayNameAsync(Incident incident, CancellationToken cancellationToken)
    {
        if (incident.IsAnonymous || incident.SurvivorId is not { } id)
        {
            return null;
        }

        if (!_names.TryGetValue(id, out var name))
        {
            _names[id] = name = await platform.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
        }

        return name;
    }

    /// <summary>The name shown for the survivor in the case's conversation: their display name, or the handle.</summary>
    public async Task<string> SpeakerAsync(Incident incident, CancellationToken cancellationToken) =>
        await DisplayNameAsync(incident, cancellationToken) ?? incident.Handle;
}
