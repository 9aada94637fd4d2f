using Haven.Platform.Portal;
using Haven.Pss.Notes;

namespace Haven.Pss.Portal;

/// <summary>The staff notes block of a candidate's page: the add-note form (with its errors) and the latest notes.</summary>
public sealed record NotesSection(Guid CandidateId, IReadOnlyList<NoteView> Notes, int Total, PortalForm State)
{
    public string? Text { get; init; }

    public string? Tags { get; init; }

    public string? Status { get; init; }

    /// <summary>The id the next note is created with: a resent form creates it once.</summary>
    public Guid NewNoteId { get; init; } = Guid.CreateVersion7();
}
