using Haven.Platform.Identity;
using Haven.Pss.Access;
using Haven.Pss.Dashboard;
using Haven.Pss.Data;
using Haven.Pss.Profiles;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Users;

/// <summary>Candidates as staff find them (by name, email or ID number) and as a candidate sees their own overview.</summary>
public sealed class CandidateService(
    PssDbContext db, PssCaller caller, CandidateAccess access, IUserDirectory directory, IUserProvisioning provisioning, ProfileSearch search, TimeProvider clock)
{
    public async Task<CandidatePage> ListAsync(string? query, Guid? tenantId, int page, int pageSize, CancellationToken cancellationToken)
    {
        var scope = caller.StatsScope(tenantId);
        var directoryQuery = new DirectoryQuery(HavenRoles.Pss.Candidate) { TenantIds = scope, Page = page, PageSize = pageSize };
        if (!string.IsNullOrWhiteSpace(query))
        {
            var byIdNumber = await search.ByIdNumberAsync(query, cancellationToken);
            directoryQuery = byIdNumber.Count > 0 ? directoryQuery with { UserIds = byIdNumber } : directoryQuery with { Search = query };
        }

        var found = await directory.SearchAsync(directoryQuery, cancellationToken);
        var activity = await ActivityAsync([.. found.Items.Select(u => u.Id)], cancellationToken);
        var items = found.Items.Select(u =>
        {
            var a = activity[u.Id];
            var c = CandidateAccess.ToCandidate(u, false);
            return new CandidateSummary(c.Id, c.Email, c.DisplayName, c.Name, c.TenantId, u.IsActive, a.IntakeCompletedAt is not null, a.LastEntryDate, a.LatestMood, a.RecentEntries, a.Flags);
        }).ToList();
        return new CandidatePage(items, found.Total, Math.Max(1, page), Math.Clamp(pageSize, 1, 100));
    }

    public async Task<Outcome<CandidateDetail>> DetailAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var found = await access.ReadAsync(candidateId, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var c = found.Value!;
        var user = await directory.FindAsync(candidateId, cancellationToken);
        var a = (await ActivityAsync([candidateId], cancellationToken))[candidateId];
        var submissions = await db.IntakeSubmissions.CountAsync(s => s.UserId == candidateId, cancellationToken);
        var entries = await db.JournalEntries.Where(e => e.UserId == candidateId)
            .GroupBy(e => e.UserId)
            .Select(g => new { Count = g.Count(), First = g.Min(e => e.EntryDate), Last = g.Max(e => e.EntryDate) })
            .FirstOrDefaultAsync(cancellationToken);
        // Flags are for staff: a candidate is not shown a judgement about their own entries.
        var flags = c.IsSelf ? [] : a.Flags;
        return new CandidateDetail(
            c.Id, c.Email, c.DisplayName, c.Name, c.TenantId, user?.IsActive ?? false, a.IntakeCompletedAt is not null, a.IntakeCompletedAt, submissions,
            entries?.Count ?? 0, entries?.First, entries?.Last, a.LatestMood, a.RecentEntries, flags);
    }

    public async Task<Outcome<CandidateDetail>> RenameAsync(Guid candidateId, string? displayName, CancellationToken cancellationToken)
    {
        var found = await access.ReadAsync(candidateId, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        return await provisioning.SetDisplayNameAsync(candidateId, displayName, cancellationToken)
            ? await DetailAsync(candidateId, cancellationToken)
            : CandidateAccess.NotFound;
    }

    private async Task<Dictionary<Guid, Activity>> ActivityAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var since = DateOnly.FromDayNumber(Math.Min(CheckInRule.WindowStart(today).DayNumber, today.AddDays(-29).DayNumber));
        var intake = await db.Profiles.AsNoTracking().Where(p => ids.Contains(p.UserId)).Select(p => new { p.UserId, p.IntakeCompletedAt })
            .ToDictionaryAsync(p => p.UserId, p => p.IntakeCompletedAt, cancellationToken);
        var recent = await db.JournalEntries.AsNoTracking().Where(e => ids.Contains(e.UserId) && e.EntryDate >= since)
            .Select(e => new { e.UserId, e.EntryDate, e.CreatedAt, e.Mood, e.EnergyLevel })
            .ToListAsync(cancellationToken);
        var latest = await db.JournalEntries.AsNoTracking().Where(e => ids.Contains(e.UserId))
            .GroupBy(e => e.UserId)
            .Select(g => g.OrderByDescending(e => e.EntryDate).ThenByDescending(e => e.CreatedAt).Select(e => new { e.UserId, e.EntryDate, e.Mood }).First())
            .ToDictionaryAsync(x => x.UserId, cancellationToken);
        return ids.ToDictionary(id => id, id =>
        {
            var mine = recent.Where(e => e.UserId == id).ToList();
            var last = latest.GetValueOrDefault(id);
            return new Activity(
                intake.GetValueOrDefault(id),
                last?.EntryDate,
                last?.Mood,
                mine.Count(e => e.EntryDate >= today.AddDays(-29)),
                CheckInRule.Reasons(mine.Select(e => (e.EntryDate, e.CreatedAt, e.Mood, e.EnergyLevel)), today));
        });
    }

    private sealed record Activity(DateTimeOffset? IntakeCompletedAt, DateOnly? LastEntryDate, Mood? LatestMood, int RecentEntries, IReadOnlyList<string> Flags);
}
