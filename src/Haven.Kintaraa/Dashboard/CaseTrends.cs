using Haven.Kintaraa.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Dashboard;

/// <summary>Cases reported in one day or week: all of them, SOS alerts among them, and how many a provider has since accepted.</summary>
public sealed record CasePeriod(DateOnly Start, int Reported, int Sos, int Accepted);

/// <summary>The network's cases over time for the admin statistics (every case: the caller is an admin).</summary>
public sealed class CaseTrends(KintaraaDbContext db)
{
    /// <summary>Periods up to this long are shown per day, longer ones per week.</summary>
    public static readonly TimeSpan DailyUpTo = TimeSpan.FromDays(31);

    public static string UnitFor(DateTimeOffset from, DateTimeOffset to) => to - from <= DailyUpTo ? "day" : "week";

    /// <summary>
    /// One row per day or week (UTC) from <paramref name="from"/> to <paramref name="to"/>, empty periods included.
    /// One range scan of <c>ix_incidents_created_at</c> grouped in SQL; no case row leaves the database.
    /// </summary>
    public async Task<IReadOnlyList<CasePeriod>> OverTimeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var unit = UnitFor(from, to);
        var (start, end) = (from.UtcDateTime, to.UtcDateTime);
        var rows = await db.Database.SqlQuery<PeriodRow>($"""
            WITH buckets AS (
                SELECT generate_series(date_trunc({unit}, {start}::timestamp), {end}::timestamp, ('1 ' || {unit})::interval) AS period
            ), counts AS (
                SELECT date_trunc({unit}, created_at AT TIME ZONE 'UTC') AS period,
                       count(*)::int AS reported,
                       (count(*) FILTER (WHERE source = 'sos'))::int AS sos,
                       (count(*) FILTER (WHERE first_accepted_at IS NOT NULL))::int AS accepted
                FROM kintaraa.incidents
                WHERE created_at >= {from} AND created_at <= {to}
                GROUP BY 1
            )
            SELECT b.period AS "Period", coalesce(c.reported, 0) AS "Reported", coalesce(c.sos, 0) AS "Sos", coalesce(c.accepted, 0) AS "Accepted"
            FROM buckets b LEFT JOIN counts c ON c.period = b.period
            ORDER BY b.period
            """).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new CasePeriod(DateOnly.FromDateTime(r.Period), r.Reported, r.Sos, r.Accepted))];
    }

    private sealed record PeriodRow(DateTime Period, int Reported, int Sos, int Accepted);
}
