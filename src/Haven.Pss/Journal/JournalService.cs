using Haven.Platform.Web;
using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Haven.Pss.Dashboard;
using Haven.Pss.Data;
using Haven.Pss.Profiles;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Journal;

/// <summary>
/// A candidate's journal: they write, change and delete their own entries; staff who may see the candidate read them
/// (each staff read audited). Entries are listed newest first.
/// </summary>
public sealed class JournalService(
    PssDbContext db, PssCaller caller, CandidateAccess access, PssAudit audit, PssChanges changes, CheckInAlerts alerts, TimeProvider clock)
{
    public const string CreatedAction = "pss.journal_entry.created";
    public const string UpdatedAction = "pss.journal_entry.updated";
    public const string DeletedAction = "pss.journal_entry.deleted";
    public const string ViewedAction = "pss.journal.viewed";
    public const int MaxTrendPoints = 120;

    public static readonly Error EntryNotFound = Errors.NotFound("Journal entry");

    public async Task<Outcome<JournalPage>> ListAsync(Guid candidateId, DateOnly? from, DateOnly? to, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (from is not null && to is not null && from > to)
        {
            return Errors.Validation("from", "The start date is after the end date.");
        }

        var candidate = await access.ReadAsync(candidateId, cancellationToken);
        if (candidate.Failed)
        {
            return candidate.Error!;
        }

        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var query = db.JournalEntries.AsNoTracking().Where(e => e.UserId == candidateId);
        if (from is not null)
        {
            query = query.Where(e => e.EntryDate >= from);
        }

        if (to is not null)
        {
            query = query.Where(e => e.EntryDate <= to);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(e => e.EntryDate).ThenByDescending(e => e.CreatedAt).ThenBy(e => e.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        await AuditStaffReadAsync(candidate.Value!, cancellationToken);
        return new JournalPage([.. rows.Select(JournalEntryView.From)], total, page, pageSize, from, to);
    }

    public async Task<Outcome<JournalEntryView>> GetAsync(Guid entryId, CancellationToken cancellationToken)
    {
        var entry = await db.JournalEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == entryId, cancellationToken);
        if (entry is null)
        {
            return EntryNotFound;
        }

        var candidate = await access.ReadAsync(entry.UserId, cancellationToken);
        if (candidate.Failed)
        {
            return EntryNotFound;
        }

        await AuditStaffReadAsync(candidate.Value!, cancellationToken);
        return JournalEntryView.From(entry);
    }

    /// <summary>Writes a new entry for the signed-in candidate. With a client id, a retry returns the entry already written (Created = false).</summary>
    public async Task<Outcome<(JournalEntryView Entry, bool Created)>> CreateAsync(JournalEntryRequest request, CancellationToken cancellationToken)
    {
        var self = await access.SelfAsync(cancellationToken);
        if (self.Failed)
        {
            return self.Error!;
        }

        var now = clock.GetUtcNow();
        var (input, invalid) = Validate(request, now);
        if (invalid is not null)
        {
            return invalid;
        }

        if (request.Id is { } clientId && await db.JournalEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == clientId, cancellationToken) is { } earlier)
        {
            return earlier.UserId == caller.UserId ? (JournalEntryView.From(earlier), false) : Errors.Conflict("id_conflict", "Another entry already has this id.");
        }

        var entry = new JournalEntry
        {
            Id = request.Id ?? Guid.CreateVersion7(now),
            UserId = caller.UserId,
            EntryDate = input.Date,
            Title = input.Title,
            Content = input.Content,
            Mood = input.Mood,
            EnergyLevel = input.Energy,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            await SaveWithAlertsAsync(self.Value!, entry, () => db.JournalEntries.Add(entry), new PssAuditEvent(CreatedAction, "journal_entry", entry.Id, self.Value!.TenantId), cancellationToken);
        }
        catch (DbUpdateException e) when (Database.IsUniqueViolation(e))
        {
            // The same client id, saved by a concurrent retry a moment ago.
            db.ChangeTracker.Clear();
            var winner = await db.JournalEntries.AsNoTracking().FirstAsync(x => x.Id == entry.Id, cancellationToken);
            return winner.UserId == caller.UserId ? (JournalEntryView.From(winner), false) : Errors.Conflict("id_conflict", "Another entry already has this id.");
        }

        changes.Changed();
        return (JournalEntryView.From(entry), true);
    }

    public async Task<Outcome<JournalEntryView>> UpdateAsync(Guid entryId, JournalEntryRequest request, CancellationToken cancellationToken)
    {
        var entry = await OwnEntryAsync(entryId, cancellationToken);
        if (entry is null)
        {
            return EntryNotFound;
        }

        var now = clock.GetUtcNow();
        var (input, invalid) = Validate(request, now);
        if (invalid is not null)
        {
            return invalid;
        }

        if (request.Version is not { } version)
        {
            return Errors.Validation("version", "Send the version you read, so a newer change is not overwritten.");
        }

        if (version != entry.Version)
        {
            return ProfileService.VersionConflict(entry.Version);
        }

        var self = (await access.SelfAsync(cancellationToken)).Value!;
        try
        {
            await SaveWithAlertsAsync(self, entry, () =>
            {
                entry.EntryDate = input.Date;
                entry.Title = input.Title;
                entry.Content = input.Content;
                entry.Mood = input.Mood;
                entry.EnergyLevel = input.Energy;
                entry.Version++;
                entry.UpdatedAt = now;
            }, new PssAuditEvent(UpdatedAction, "journal_entry", entry.Id, self.TenantId), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ProfileService.VersionConflict(await db.JournalEntries.AsNoTracking().Where(e => e.Id == entryId).Select(e => e.Version).FirstOrDefaultAsync(cancellationToken));
        }

        changes.Changed();
        return JournalEntryView.From(entry);
    }

    public async Task<Error?> DeleteAsync(Guid entryId, CancellationToken cancellationToken)
    {
        var entry = await OwnEntryAsync(entryId, cancellationToken);
        if (entry is null)
        {
            return EntryNotFound;
        }

        db.JournalEntries.Remove(entry);
        try
        {
            await audit.SaveChangesAsync(db, new PssAuditEvent(DeletedAction, "journal_entry", entry.Id, await TenantAsync(cancellationToken)), cancellationToken, changed: entry);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted (or changed) by a concurrent request: gone either way from the caller's point of view.
            return EntryNotFound;
        }

        changes.Changed();
        return null;
    }

    /// <summary>Mood and energy per week or month over a range (default: the last 12 weeks or months), empty periods included.</summary>
    public async Task<Outcome<TrendView>> TrendsAsync(Guid candidateId, string? period, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        period ??= TrendPeriods.Week;
        if (period is not (TrendPeriods.Week or TrendPeriods.Month))
        {
            return Errors.Validation("period", "Use week or month.");
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var end = to ?? today;
        var start = from ?? (period == TrendPeriods.Week ? TrendPeriods.Start(period, end).AddDays(-7 * 11) : TrendPeriods.Start(period, end).AddMonths(-11));
        if (start > end)
        {
            return Errors.Validation("from", "The start date is after the end date.");
        }

        if ((period == TrendPeriods.Week ? (end.DayNumber - start.DayNumber) / 7 : ((end.Year - start.Year) * 12) + end.Month - start.Month) >= MaxTrendPoints)
        {
            return Errors.Validation("from", $"Ask for at most {MaxTrendPoints} {period}s at a time.");
        }

        var candidate = await access.ReadAsync(candidateId, cancellationToken);
        if (candidate.Failed)
        {
            return candidate.Error!;
        }

        var rangeStart = TrendPeriods.Start(period, start);
        var entries = await db.JournalEntries.AsNoTracking()
            .Where(e => e.UserId == candidateId && e.EntryDate >= rangeStart && e.EntryDate <= end)
            .Select(e => new { e.EntryDate, e.Mood, e.EnergyLevel })
            .ToListAsync(cancellationToken);
        return new TrendView(candidateId, period, rangeStart, end, TrendPeriods.Build(period, rangeStart, end, entries.Select(e => (e.EntryDate, e.Mood, e.EnergyLevel))));
    }

    /// <summary>Every entry of a candidate, oldest first, for the data export (access already decided).</summary>
    internal async Task<IReadOnlyList<JournalEntryView>> AllForExportAsync(Guid candidateId, CancellationToken cancellationToken) =>
        [.. (await db.JournalEntries.AsNoTracking().Where(e => e.UserId == candidateId).OrderBy(e => e.EntryDate).ThenBy(e => e.CreatedAt).ToListAsync(cancellationToken))
            .Select(JournalEntryView.From)];

    private async Task<JournalEntry?> OwnEntryAsync(Guid entryId, CancellationToken cancellationToken) =>
        caller.IsCandidate ? await db.JournalEntries.FirstOrDefaultAsync(e => e.Id == entryId && e.UserId == caller.UserId, cancellationToken) : null;

    private async Task<Guid?> TenantAsync(CancellationToken cancellationToken) => (await access.SelfAsync(cancellationToken)).Value?.TenantId;

    /// <summary>Applies the change and saves it with its audit entry and any check-in alert it causes, in one transaction.</summary>
    private async Task SaveWithAlertsAsync(Candidate self, JournalEntry entry, Action change, PssAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var before = await alerts.FlagsAsync(self.Id, cancellationToken);
        change();
        await audit.SaveChangesAsync(db, auditEvent, cancellationToken, changed: entry);
        await alerts.NotifyNewAsync(self, before, await alerts.FlagsAsync(self.Id, cancellationToken), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task AuditStaffReadAsync(Candidate candidate, CancellationToken cancellationToken)
    {
        if (!candidate.IsSelf)
        {
            await audit.ReadAsync(new PssAuditEvent(ViewedAction, "journal", candidate.Id, candidate.TenantId), cancellationToken);
        }
    }

    private static ((DateOnly Date, string Title, string Content, Mood Mood, int Energy) Input, Error? Error) Validate(JournalEntryRequest request, DateTimeOffset now)
    {
        var errors = new FieldErrors();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // Candidates east of UTC are already in tomorrow for part of the day; allow their today.
        var date = request.Date ?? today;
        errors.When(date > today.AddDays(1), "date", "An entry cannot be for a day that has not come yet.");
        errors.When(date < new DateOnly(2000, 1, 1), "date", "Enter a date from 2000 on.");
        var title = request.Title?.Trim() ?? "";
        errors.When(title.Length == 0, "title", "Give the entry a title.");
        errors.When(title.Length > 200, "title", "Use at most 200 characters.");
        var content = request.Content?.Trim() ?? "";
        errors.When(content.Length == 0, "content", "Write something in the entry.");
        errors.When(content.Length > 20000, "content", "Use at most 20000 characters.");
        errors.When(!Moods.TryParse(request.Mood, out var mood), "mood", "Choose a mood: very_low, low, okay, good or very_good.");
        errors.When(request.EnergyLevel is not (>= 1 and <= 10), "energy_level", "Choose an energy level from 1 to 10.");
        return ((date, title, content, mood, request.EnergyLevel ?? 0), errors.AsError());
    }
}
