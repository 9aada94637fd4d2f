using System.Text.RegularExpressions;
using Haven.Platform.Identity;
using Haven.Platform.Web;
using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Haven.Pss.Data;
using Haven.Pss.Profiles;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Notes;

/// <summary>
/// Staff notes on candidates. Only staff who may see the candidate reach a note (anyone else: 404); the candidate never
/// does, through any route. The author changes or deletes their note; a superuser may too; other admins only read it.
/// </summary>
public sealed partial class NoteService(PssDbContext db, PssCaller caller, CandidateAccess access, IUserDirectory directory, PssAudit audit, TimeProvider clock)
{
    public const string CreatedAction = "pss.admin_note.created";
    public const string UpdatedAction = "pss.admin_note.updated";
    public const string DeletedAction = "pss.admin_note.deleted";
    public const int MaxTags = 10;

    public static readonly Error NoteNotFound = Errors.NotFound("Note");
    private static readonly Error NotAuthor = Errors.Forbidden("not_note_author", "Only the note's author (or a superuser) may change or delete it.");

    /// <summary>Notes on one candidate, or (no candidate) on every candidate the caller may see; newest first.</summary>
    public async Task<Outcome<NotePage>> ListAsync(Guid? candidateId, string? tag, int page, int pageSize, CancellationToken cancellationToken)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var query = db.AdminNotes.AsNoTracking();
        if (candidateId is { } id)
        {
            var candidate = await access.StaffReadAsync(id, cancellationToken);
            if (candidate.Failed)
            {
                return candidate.Error!;
            }

            query = query.Where(n => n.CandidateId == id);
        }
        else if (caller.StaffScope is { } tenants)
        {
            var visible = await directory.IdsAsync(new DirectoryQuery(HavenRoles.Pss.Candidate) { TenantIds = tenants, IncludeInactive = true }, cancellationToken);
            query = query.Where(n => visible.Contains(n.CandidateId));
        }

        if (NormalizeTag(tag) is { } wanted)
        {
            query = query.Where(n => n.Tags.Contains(wanted));
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(n => n.CreatedAt).ThenBy(n => n.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new NotePage(await ViewsAsync(rows, cancellationToken), total, page, pageSize);
    }

    public async Task<Outcome<NoteView>> GetAsync(Guid noteId, CancellationToken cancellationToken)
    {
        var note = await VisibleNoteAsync(noteId, tracked: false, cancellationToken);
        return note.Failed ? note.Error! : (await ViewsAsync([note.Value!.Note], cancellationToken))[0];
    }

    public async Task<Outcome<(NoteView Note, bool Created)>> CreateAsync(NoteRequest request, CancellationToken cancellationToken)
    {
        if (request.CandidateId is not { } candidateId)
        {
            return Errors.Validation("candidate_id", "Name the candidate this note is about.");
        }

        var (text, tags, invalid) = Validate(request);
        if (invalid is not null)
        {
            return invalid;
        }

        var candidate = await access.StaffReadAsync(candidateId, cancellationToken);
        if (candidate.Failed)
        {
            return candidate.Error!;
        }

        if (request.Id is { } clientId && await db.AdminNotes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == clientId, cancellationToken) is { } earlier)
        {
            return earlier.AuthorId == caller.UserId && earlier.CandidateId == candidateId
                ? ((await ViewsAsync([earlier], cancellationToken))[0], false)
                : Errors.Conflict("id_conflict", "Another note already has this id.");
        }

        var now = clock.GetUtcNow();
        var note = new AdminNote
        {
            Id = request.Id ?? Guid.CreateVersion7(now),
            CandidateId = candidateId,
            AuthorId = caller.UserId,
            NoteText = text,
            Tags = [.. tags],
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.AdminNotes.Add(note);
        try
        {
            await audit.SaveChangesAsync(db, new PssAuditEvent(CreatedAction, "admin_note", note.Id, candidate.Value!.TenantId), cancellationToken);
        }
        catch (DbUpdateException e) when (Database.IsUniqueViolation(e))
        {
            return Errors.Conflict("id_conflict", "Another note already has this id.");
        }

        return ((await ViewsAsync([note], cancellationToken))[0], true);
    }

    public async Task<Outcome<NoteView>> UpdateAsync(Guid noteId, NoteRequest request, CancellationToken cancellationToken)
    {
        var found = await VisibleNoteAsync(noteId, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var (note, candidate) = found.Value;
        if (!MayChange(note))
        {
            return NotAuthor;
        }

        var (text, tags, invalid) = Validate(request);
        if (invalid is not null)
        {
            return invalid;
        }

        if (request.Version is not { } version)
        {
            return Errors.Validation("version", "Send the version you read, so a newer change is not overwritten.");
        }

        if (version != note.Version)
        {
            return ProfileService.VersionConflict(note.Version);
        }

        note.NoteText = text;
        note.Tags = [.. tags];
        note.Version++;
        note.UpdatedAt = clock.GetUtcNow();
        try
        {
            await audit.SaveChangesAsync(db, new PssAuditEvent(UpdatedAction, "admin_note", note.Id, candidate.TenantId), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ProfileService.VersionConflict(await db.AdminNotes.AsNoTracking().Where(n => n.Id == noteId).Select(n => n.Version).FirstOrDefaultAsync(cancellationToken));
        }

        return (await ViewsAsync([note], cancellationToken))[0];
    }

    public async Task<Error?> DeleteAsync(Guid noteId, CancellationToken cancellationToken)
    {
        var found = await VisibleNoteAsync(noteId, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error;
        }

        var (note, candidate) = found.Value;
        if (!MayChange(note))
        {
            return NotAuthor;
        }

        db.AdminNotes.Remove(note);
        try
        {
            await audit.SaveChangesAsync(db, new PssAuditEvent(DeletedAction, "admin_note", note.Id, candidate.TenantId), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return NoteNotFound;
        }

        return null;
    }

    /// <summary>"Wellbeing, Follow up" → ["wellbeing", "follow_up"]: trimmed, lower-case, spaces as underscores, no duplicates.</summary>
    public static IReadOnlyList<string> ParseTags(string? commaSeparated) =>
        string.IsNullOrWhiteSpace(commaSeparated) ? [] : [.. commaSeparated.Split(',').Select(NormalizeTag).OfType<string>().Distinct()];

    public static string? NormalizeTag(string? tag) =>
        string.IsNullOrWhiteSpace(tag) ? null : Spaces().Replace(tag.Trim().ToLowerInvariant(), "_");

    private bool MayChange(AdminNote note) => note.AuthorId == caller.UserId || caller.IsSuperuser;

    private async Task<Outcome<(AdminNote Note, Candidate Candidate)>> VisibleNoteAsync(Guid noteId, bool tracked, CancellationToken cancellationToken)
    {
        var notes = tracked ? db.AdminNotes : db.AdminNotes.AsNoTracking();
        var note = await notes.FirstOrDefaultAsync(n => n.Id == noteId, cancellationToken);
        if (note is null)
        {
            return NoteNotFound;
        }

        var candidate = await access.StaffReadAsync(note.CandidateId, cancellationToken);
        return candidate.Failed ? NoteNotFound : (note, candidate.Value!);
    }

    private async Task<IReadOnlyList<NoteView>> ViewsAsync(IReadOnlyList<AdminNote> notes, CancellationToken cancellationToken)
    {
        var authors = await directory.FindManyAsync([.. notes.Select(n => n.AuthorId).Distinct()], cancellationToken);
        return [.. notes.Select(n => new NoteView(
            n.Id, n.CandidateId, n.AuthorId, authors.GetValueOrDefault(n.AuthorId)?.Name ?? "Former staff member", n.NoteText, n.Tags, n.Version,
            n.CreatedAt, n.UpdatedAt, MayChange(n)))];
    }

    private static (string Text, IReadOnlyList<string> Tags, Error? Error) Validate(NoteRequest request)
    {
        var errors = new FieldErrors();
        var text = request.NoteText?.Trim() ?? "";
        errors.When(text.Length == 0, "note_text", "Write the note.");
        errors.When(text.Length > 10000, "note_text", "Use at most 10000 characters.");
        var tags = (request.Tags ?? []).Select(NormalizeTag).OfType<string>().Distinct().ToList();
        errors.When(tags.Count > MaxTags, "tags", $"Use at most {MaxTags} tags.");
        errors.When(tags.Any(t => t.Length > 40 || !TagPattern().IsMatch(t)), "tags", "Tags are at most 40 letters, digits, hyphens or underscores.");
        return (text, tags, errors.AsError());
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^[\p{Ll}\p{Lo}0-9_\-]+$")]
    private static partial Regex TagPattern();
}
