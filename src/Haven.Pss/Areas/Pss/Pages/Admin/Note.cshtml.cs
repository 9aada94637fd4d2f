using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Notes;
using Haven.Pss.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin;

/// <summary>The author (or a superuser) changes or deletes a staff note; other staff are sent back to read it on the candidate's page.</summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class NoteModel(NoteService notes) : PageModel
{
    public NoteView Note { get; private set; } = null!;

    public string? Text { get; private set; }

    public string? Tags { get; private set; }

    public PortalForm State { get; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        (Text, Tags) = (Note.NoteText, string.Join(", ", Note.Tags));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, int? version, [FromForm(Name = "note_text")] string? text, string? tags, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var saved = await notes.UpdateAsync(id, new NoteRequest(null, null, text, NoteService.ParseTags(tags), version), cancellationToken);
        if (!saved.Failed)
        {
            return Redirect($"/pss/admin/candidates/{Note.CandidateId}#notes");
        }

        State.Fail(saved.Error!);
        (Text, Tags) = saved.Error!.Code == "version_conflict" ? (Note.NoteText, string.Join(", ", Note.Tags)) : (text, tags);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        await notes.DeleteAsync(id, cancellationToken);
        return Redirect($"/pss/admin/candidates/{Note.CandidateId}#notes");
    }

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var note = await notes.GetAsync(id, cancellationToken);
        if (note.Failed)
        {
            return NotFound();
        }

        Note = note.Value!;
        return Note.CanEdit ? null : Redirect($"/pss/admin/candidates/{Note.CandidateId}#notes");
    }
}
