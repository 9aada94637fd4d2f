using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Cases;

/// <summary>
/// Applies the survivor's chosen precision before anything is stored: coarser settings round the coordinates and drop
/// the street address, so a less precise location cannot be recovered later from the database or a backup.
/// </summary>
public static class LocationPrivacy
{
    public static CaseLocation? Reduce(CaseLocation? location, LocationPrecision precision)
    {
        if (location is null)
        {
            return null;
        }

        return precision switch
        {
            LocationPrecision.Exact => location,
            LocationPrecision.Approximate => location with { Latitude = Round(location.Latitude, 2), Longitude = Round(location.Longitude, 2), Address = null },
            LocationPrecision.Area => location with { Latitude = Round(location.Latitude, 1), Longitude = Round(location.Longitude, 1), Address = null },
            LocationPrecision.None => location.Description is null ? null : new CaseLocation(null, null, null, location.Description),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
        };
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits, MidpointRounding.AwayFromZero) : null;
}
