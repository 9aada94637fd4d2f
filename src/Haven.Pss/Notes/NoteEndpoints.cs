using Haven.Platform.Identity;
using Haven.Pss.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Pss.Notes;

internal static class NoteEndpoints
{
    public static void Map(RouteGroupBuilder pss)
    {
        var notes = pss.MapGroup("/admin-notes").WithTags("PSS: admin notes").RequireAuthorization(HavenPolicies.Pss.Staff);
        notes.MapGet("", ListAsync).WithName("pss_admin_notes").WithSummary("Staff notes, newest first: on one candidate, or on all I may see; filter by tag");
        notes.MapPost("", CreateAsync).WithName("pss_admin_note_create").WithSummary("Write a note about a candidate (idempotent with a client id)");
        notes.MapGet("/{id:guid}", GetAsync).WithName("pss_admin_note").WithSummary("One note");
        notes.MapPut("/{id:guid}", UpdateAsync).WithName("pss_admin_note_update").WithSummary("Change a note I wrote (superuser: any)");
        notes.MapDelete("/{id:guid}", DeleteAsync).WithName("pss_admin_note_delete").WithSummary("Delete a note I wrote (superuser: any)");
    }

    private static async Task<Results<Ok<NotePage>, ProblemHttpResult>> ListAsync(
        NoteService notes, CancellationToken cancellationToken, [FromQuery(Name = "candidate_id")] Guid? candidateId = null, string? tag = null,
        int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20) =>
        (await notes.ListAsync(candidateId, tag, page, pageSize, cancellationToken)).ToOk();

    private static async Task<Results<Created<NoteView>, Ok<NoteView>, ProblemHttpResult>> CreateAsync(NoteRequest request, NoteService notes, CancellationToken cancellationToken)
    {
        var created = await notes.CreateAsync(request, cancellationToken);
        if (created.Failed)
        {
            return created.Error!.ToProblem();
        }

        var (note, isNew) = created.Value;
        return isNew ? TypedResults.Created($"/api/pss/admin-notes/{note.Id}", note) : TypedResults.Ok(note);
    }

    private static async Task<Results<Ok<NoteView>, ProblemHttpResult>> GetAsync(Guid id, NoteService notes, CancellationToken cancellationToken) =>
        (await notes.GetAsync(id, cancellationToken)).ToOk();

    private static async Task<Results<Ok<NoteView>, ProblemHttpResult>> UpdateAsync(Guid id, NoteRequest request, NoteService notes, CancellationToken cancellationToken) =>
        (await notes.UpdateAsync(id, request, cancellationToken)).ToOk();

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, NoteService notes, CancellationToken cancellationToken) =>
        (await notes.DeleteAsync(id, cancellationToken)).ToNoContent();
}
