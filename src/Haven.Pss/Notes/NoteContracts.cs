namespace Haven.Pss.Notes;

/// <summary>
/// A staff note about a candidate. <c>tags</c> are short labels (lower-cased, at most 10, 40 characters each) to find
/// notes by later; a comma-separated string is also accepted by the portal. <c>id</c> is an optional client-generated
/// id that makes a retried create return the note already written.
/// </summary>
public sealed record NoteRequest(
    Guid? Id,
    Guid? CandidateId,
    string? NoteText,
    IReadOnlyList<string>? Tags,
    int? Version);

public sealed record NoteView(
    Guid Id, Guid CandidateId, Guid AuthorId, string AuthorName, string NoteText, IReadOnlyList<string> Tags, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool CanEdit);

public sealed record NotePage(IReadOnlyList<NoteView> Items, int Total, int Page, int PageSize);
