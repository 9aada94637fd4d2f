using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Dashboard;

/// <summary>Case counts over the cases the caller may see.</summary>
public sealed record CaseCounts(
    int Total,
    int Active,
    int ReportedInPeriod,
    int SosInPeriod,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByPriority,
    IReadOnlyDictionary<string, int> ByType,
    int UnreadMessages);

/// <summary>Minutes from report to an event, per provider type: median, 90th percentile, mean, and over how many cases.</summary>
public sealed record TypeTiming(ProviderType ProviderType, double MedianMinutes, double P90Minutes, double MeanMinutes, int Cases);

public sealed record ProviderWorkload(int PendingOffers, int AcceptedReferrals, int DoneInPeriod, int Capacity, int Caseload,
    bool IsAvailable, bool IsVerified, decimal? Rating, int? ResponseTimeMinutes);

public sealed record NetworkStats(int Providers, int VerifiedProviders, int AvailableProviders, int ProvidersAtCapacity,
    int QueuedReferrals, int OverdueOffers, IReadOnlyDictionary<string, int> ReferralsByStatus);

public sealed record DashboardStats(
    string Scope,
    DateTimeOffset From,
    DateTimeOffset To,
    CaseCounts Cases,
    ProviderWorkload? Workload,
    NetworkStats? Network,
    IReadOnlyList<TypeTiming> TimeToAssignment,
    IReadOnlyList<TypeTiming> TimeToFirstResponse);

internal static class DashboardEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var dashboard = api.MapGroup("/dashboard").WithTags("Kintaraa dashboard");
        dashboard.MapGet("/stats", StatsAsync).WithName("kintaraa_dashboard_stats")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Dashboard statistics for the caller's cases: counts by status, priority and type, workload, queue, " +
                         "and time-to-assignment and time-to-first-response per provider type")
            .WithDescription("`from`/`to` bound the period (default: the last 30 days). Survivors see their own cases, providers " +
                             "the cases referred to them, admins the whole network.");
        dashboard.MapGet("/cases/recent", RecentAsync).WithName("kintaraa_dashboard_recent")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("The caller's most recently active cases");
    }

    private static async Task<Results<Ok<DashboardStats>, ProblemHttpResult>> StatsAsync(
        [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, DashboardService dashboard, CancellationToken cancellationToken)
    {
        if (from > to)
        {
            return Errors.Validation("from", "'from' is after 'to'.").ToProblem();
        }

        return TypedResults.Ok(await dashboard.StatsAsync(from, to, cancellationToken));
    }

    private static async Task<Results<Ok<List<IncidentSummary>>, ProblemHttpResult>> RecentAsync(
        [FromQuery] int? limit, CaseAccess access, IncidentQueries queries, KintaraaCaller caller, CaseJournal journal, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 50)
        {
            return Errors.Validation("limit", "Between 1 and 50.").ToProblem();
        }

        var items = await (await access.VisibleAsync(cancellationToken)).AsNoTracking()
            .OrderByDescending(i => i.UpdatedAt).ThenByDescending(i => i.Id).Take(limit ?? 10).ToListAsync(cancellationToken);
        var unread = await queries.UnreadForAsync(items, cancellationToken);
        if (caller.IsAdmin)
        {
            journal.Audit("kintaraa.case.listed_by_admin", "incident", Guid.Empty, new { list = "recent", case_numbers = items.Select(i => i.CaseNumber).ToArray() });
            await journal.FlushAsync(cancellationToken);
        }

        return TypedResults.Ok(items.Select(i => CaseReader.Summary(i, unread.GetValueOrDefault(i.Id))).ToList());
    }
}

public sealed class DashboardService(KintaraaDbContext db, KintaraaCaller caller, CaseAccess access, TimeProvider clock)
{
    public async Task<DashboardStats> StatsAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        var visible = (await access.VisibleAsync(cancellationToken)).AsNoTracking();
        var byStatus = await visible.GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var byPriority = await visible.Where(i => i.Status != CaseStatus.Closed && i.Status != CaseStatus.Completed)
            .GroupBy(i => i.Priority).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var byType = await visible.Where(i => i.Type != null).GroupBy(i => i.Type!.Value).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var inPeriod = visible.Where(i => i.CreatedAt >= start && i.CreatedAt <= end);
        var reported = await inPeriod.CountAsync(cancellationToken);
        var sos = await inPeriod.CountAsync(i => i.Source == CaseSource.Sos, cancellationToken);
        var active = byStatus.Where(s => s.Key is not (CaseStatus.Completed or CaseStatus.Closed)).Sum(s => s.Count);
        var unread = await UnreadAsync(visible, cancellationToken);
        var cases = new CaseCounts(
            byStatus.Sum(s => s.Count), active, reported, sos,
            Enum.GetValues<CaseStatus>().ToDictionary(SnakeEnum<CaseStatus>.Name, s => byStatus.FirstOrDefault(x => x.Key == s)?.Count ?? 0),
            Enum.GetValues<Priority>().ToDictionary(SnakeEnum<Priority>.Name, p => byPriority.FirstOrDefault(x => x.Key == p)?.Count ?? 0),
            Enum.GetValues<IncidentType>().ToDictionary(SnakeEnum<IncidentType>.Name, t => byType.FirstOrDefault(x => x.Key == t)?.Count ?? 0),
            unread);

        if (caller.IsAdmin)
        {
            return new DashboardStats("admin", start, end, cases, null, await NetworkAsync(cancellationToken),
                await TimeToAssignmentAsync(start, end, null, cancellationToken), await TimeToFirstResponseAsync(start, end, null, cancellationToken));
        }

        if (caller.IsProvider && await caller.ProviderAsync(cancellationToken) is { } provider)
        {
            var referrals = await db.Referrals.Where(r => r.ProviderId == provider.Id).GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            var done = await db.Referrals.CountAsync(r => r.ProviderId == provider.Id && r.Status == ReferralStatus.Done && r.CompletedAt >= start && r.CompletedAt <= end, cancellationToken);
            var fresh = await db.Providers.AsNoTracking().FirstAsync(p => p.Id == provider.Id, cancellationToken);
            var workload = new ProviderWorkload(
                referrals.FirstOrDefault(r => r.Key == ReferralStatus.Pending)?.Count ?? 0,
                referrals.FirstOrDefault(r => r.Key == ReferralStatus.Accepted)?.Count ?? 0,
                done, fresh.Capacity, fresh.Caseload, fresh.IsAvailable, fresh.IsVerified, fresh.Rating, fresh.ResponseTimeMinutes);
            return new DashboardStats("provider", start, end, cases, workload, null,
                await TimeToAssignmentAsync(start, end, provider.Id, cancellationToken), await TimeToFirstResponseAsync(start, end, provider.Id, cancellationToken));
        }

        return new DashboardStats("survivor", start, end, cases, null, null, [], []);
    }

    private async Task<int> UnreadAsync(IQueryable<Incident> visible, CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        IQueryable<Guid> participating = visible.Select(i => i.Id);
        if (!caller.IsAdmin && caller.IsProvider && await caller.ProviderAsync(cancellationToken) is { } provider)
        {
            participating = visible.Where(i => (caller.IsSurvivor && i.SurvivorId == me)
                || db.Referrals.Any(r => r.IncidentId == i.Id && r.ProviderId == provider.Id && r.Status == ReferralStatus.Accepted)).Select(i => i.Id);
        }

        if (caller.IsAdmin)
        {
            // Admins are not in every conversation; their unread count covers the ones they joined.
            participating = db.ReadCursors.Where(c => c.UserId == me).Select(c => c.IncidentId);
        }

        return await (
            from m in db.Messages
            where participating.Contains(m.IncidentId) && m.SenderId != me
            join c in db.ReadCursors.Where(c => c.UserId == me) on m.IncidentId equals c.IncidentId into cursors
            from c in cursors.DefaultIfEmpty()
            where m.Seq > (c == null ? 0 : c.LastReadSeq)
            select m.Id).CountAsync(cancellationToken);
    }

    private async Task<NetworkStats> NetworkAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var providers = await db.Providers.AsNoTracking()
            .GroupBy(p => new { p.IsVerified, p.IsAvailable, Full = p.Caseload >= p.Capacity })
            .Select(g => new { g.Key.IsVerified, g.Key.IsAvailable, g.Key.Full, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var referrals = await db.Referrals.GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var queued = await db.Referrals.CountAsync(r => r.Status == ReferralStatus.Pending && r.ProviderId == null, cancellationToken);
        var overdue = await db.Referrals.CountAsync(r => r.Status == ReferralStatus.Pending && r.RespondBy < now, cancellationToken);
        return new NetworkStats(providers.Sum(p => p.Count), providers.Where(p => p.IsVerified).Sum(p => p.Count),
            providers.Where(p => p.IsVerified && p.IsAvailable).Sum(p => p.Count), providers.Where(p => p.IsVerified && p.Full).Sum(p => p.Count), queued, overdue,
            Enum.GetValues<ReferralStatus>().ToDictionary(SnakeEnum<ReferralStatus>.Name, s => referrals.FirstOrDefault(x => x.Key == s)?.Count ?? 0));
    }

    private sealed record TimingRow(string ProviderType, double Median, double P90, double Mean, int Cases);

    /// <summary>Report to the first acceptance by a provider of each type (cases reported in the period).</summary>
    private async Task<IReadOnlyList<TypeTiming>> TimeToAssignmentAsync(DateTimeOffset start, DateTimeOffset end, Guid? providerId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<TimingRow>($"""
            SELECT provider_type AS "ProviderType",
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS "Median",
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS "P90",
                   avg(minutes) AS "Mean",
                   count(*)::int AS "Cases"
            FROM (
                SELECT r.provider_type, extract(epoch FROM min(r.responded_at) - i.created_at) / 60.0 AS minutes
                FROM kintaraa.referrals r
                JOIN kintaraa.incidents i ON i.id = r.incident_id
                WHERE r.responded_at IS NOT NULL AND r.status <> 'declined'
                  AND i.created_at >= {start} AND i.created_at <= {end}
                  AND ({providerId}::uuid IS NULL OR r.provider_id = {providerId})
                GROUP BY r.provider_type, r.incident_id, i.created_at
            ) per_case
            GROUP BY provider_type
            ORDER BY provider_type
            """).ToListAsync(cancellationToken);
        return ToTimings(rows);
    }

    /// <summary>Report to the first message a provider of each type wrote in the case's conversation.</summary>
    private async Task<IReadOnlyList<TypeTiming>> TimeToFirstResponseAsync(DateTimeOffset start, DateTimeOffset end, Guid? providerId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<TimingRow>($"""
            SELECT provider_type AS "ProviderType",
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS "Median",
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS "P90",
                   avg(minutes) AS "Mean",
                   count(*)::int AS "Cases"
            FROM (
                SELECT p.provider_type, extract(epoch FROM min(m.created_at) - i.created_at) / 60.0 AS minutes
                FROM kintaraa.messages m
                JOIN kintaraa.providers p ON p.id = m.sender_provider_id
                JOIN kintaraa.incidents i ON i.id = m.incident_id
                WHERE m.sender_role = 'provider'
                  AND i.created_at >= {start} AND i.created_at <= {end}
                  AND ({providerId}::uuid IS NULL OR m.sender_provider_id = {providerId})
                GROUP BY p.provider_type, m.incident_id, i.created_at
            ) per_case
            GROUP BY provider_type
            ORDER BY provider_type
            """).ToListAsync(cancellationToken);
        return ToTimings(rows);
    }

    private static List<TypeTiming> ToTimings(IEnumerable<TimingRow> rows) =>
        [.. rows.Select(r => new TypeTiming(SnakeEnum<ProviderType>.Parse(r.ProviderType), Math.Round(r.Median, 1), Math.Round(r.P90, 1), Math.Round(r.Mean, 1), r.Cases))];
}
