using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Access;
using Haven.Pss.Intake;
using Haven.Pss.Journal;
using Haven.Pss.Notes;
using Haven.Pss.Portal;
using Haven.Pss.Profiles;
using Haven.Pss.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin.Candidates;

/// <summary>
/// One candidate for staff: overview, support profile (the read is audited), mood chart with its table, latest entries,
/// intake submissions and staff notes. Adding a note updates only the notes block with htmx, or reloads the page without it.
/// </summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class IndexModel(
    CandidateService candidates, ProfileService profiles, JournalService journal, IntakeService intake, NoteService notes, IUserDirectory directory) : PageModel
{
    public const int NotesShown = 20;

    public CandidateDetail Candidate { get; private set; } = null!;

    public string? ProgrammeName { get; private set; }

    public ProfileView Profile { get; private set; } = null!;

    public TrendView Trend { get; private set; } = null!;

    public IReadOnlyList<JournalEntryView> Recent { get; private set; } = [];

    public IReadOnlyList<IntakeSubmissionSummary> Submissions { get; private set; } = [];

    public NotesSection Notes { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, string? status, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Notes = await NotesAsync(id, new PortalForm(), cancellationToken) with { Status = status == "note_added" ? "The note has been added." : null };
        return Page();
    }

    public async Task<IActionResult> OnPostNoteAsync(
        Guid id, [FromForm(Name = "note_id")] Guid? noteId, [FromForm(Name = "note_text")] string? text, string? tags, CancellationToken cancellationToken)
    {
        var htmx = Request.Headers["HX-Request"] == "true";
        var created = await notes.CreateAsync(new NoteRequest(noteId, id, text, NoteService.ParseTags(tags), null), cancellationToken);
        if (created.Error is { Status: 404 })
        {
            return NotFound();
        }

        if (!created.Failed)
        {
            return htmx
                ? Partial("_NotesSection", await NotesAsync(id, new PortalForm(), cancellationToken) with { Status = "The note has been added." })
                : Redirect($"/pss/admin/candidates/{id}?status=note_added#notes");
        }

        var state = new PortalForm();
        state.Fail(created.Error!);
        var section = await NotesAsync(id, state, cancellationToken) with { Text = text, Tags = tags, NewNoteId = noteId ?? Guid.CreateVersion7() };
        if (htmx)
        {
            return Partial("_NotesSection", section);
        }

        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Notes = section;
        return Page();
    }

    private async Task<NotesSection> NotesAsync(Guid id, PortalForm state, CancellationToken cancellationToken)
    {
        var page = (await notes.ListAsync(id, null, 1, NotesShown, cancellationToken)).Value;
        return new NotesSection(id, page?.Items ?? [], page?.Total ?? 0, state);
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var candidate = await candidates.DetailAsync(id, cancellationToken);
        if (candidate.Failed)
        {
            return false;
        }

        var profile = await profiles.GetAsync(id, cancellationToken);
        if (profile.Failed)
        {
            return false;
        }

        Candidate = candidate.Value!;
        Profile = profile.Value!;
        ProgrammeName = Candidate.TenantId is { } tenant ? (await directory.TenantsAsync(PssModule.ModuleName, [tenant], cancellationToken)).FirstOrDefault()?.Name : null;
        Trend = (await journal.TrendsAsync(id, TrendPeriods.Week, null, null, cancellationToken)).Value!;
        Recent = (await journal.ListAsync(id, null, null, 1, 5, cancellationToken)).Value!.Items;
        Submissions = (await intake.SubmissionsAsync(id, cancellationToken)).Value!;
        return true;
    }
}
