using Haven.Platform.Identity;
using Haven.Platform.Web;
using Haven.Pss.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Haven.Pss.Journal;

internal static class JournalEndpoints
{
    public static void Map(RouteGroupBuilder pss)
    {
        var journal = pss.MapGroup("/journal").WithTags("PSS: journal");
        journal.MapGet("", ListAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_journal")
            .WithSummary("Journal entries, newest first, by date range (from/to inclusive) with paging; mine, or a candidate's for staff (user_id)");
        journal.MapPost("", CreateAsync).RequireAuthorization(HavenPolicies.Pss.Candidate).WithName("pss_journal_create")
            .WithSummary("Write a journal entry (idempotent with a client-generated id)");
        journal.MapGet("/trends", TrendsAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_journal_trends")
            .WithSummary("Average mood (1-5) and energy (1-10) per week or month");
        journal.MapGet("/{id:guid}", GetAsync).RequireAuthorization(PssPolicies.Member).WithName("pss_journal_entry")
            .WithSummary("One journal entry");
        journal.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(HavenPolicies.Pss.Candidate).WithName("pss_journal_update")
            .WithSummary("Change one of my entries (send the version you read)");
        journal.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(HavenPolicies.Pss.Candidate).WithName("pss_journal_delete")
            .WithSummary("Delete one of my entries");
    }

    private static async Task<Results<Ok<JournalPage>, ProblemHttpResult>> ListAsync(
        JournalService journal, PssCaller caller, CancellationToken cancellationToken, [FromQuery(Name = "user_id")] Guid? userId = null,
        DateOnly? from = null, DateOnly? to = null, int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20)
    {
        if (userId is null && !caller.IsCandidate)
        {
            return Errors.Validation("user_id", "Name the candidate whose journal to read.").ToProblem();
        }

        return (await journal.ListAsync(userId ?? caller.UserId, from, to, page, pageSize, cancellationToken)).ToOk();
    }

    private static async Task<Results<Created<JournalEntryView>, Ok<JournalEntryView>, ProblemHttpResult>> CreateAsync(
        JournalEntryRequest request, JournalService journal, CancellationToken cancellationToken)
    {
        var created = await journal.CreateAsync(request, cancellationToken);
        if (created.Failed)
        {
            return created.Error!.ToProblem();
        }

        var (entry, isNew) = created.Value;
        return isNew ? TypedResults.Created($"/api/pss/journal/{entry.Id}", entry) : TypedResults.Ok(entry);
    }

    private static async Task<Results<Ok<TrendView>, ProblemHttpResult>> TrendsAsync(
        JournalService journal, PssCaller caller, CancellationToken cancellationToken, [FromQuery(Name = "user_id")] Guid? userId = null,
        string? period = null, DateOnly? from = null, DateOnly? to = null)
    {
        if (userId is null && !caller.IsCandidate)
        {
            return Errors.Validation("user_id", "Name the candidate.").ToProblem();
        }

        return (await journal.TrendsAsync(userId ?? caller.UserId, period, from, to, cancellationToken)).ToOk();
    }

    private static async Task<Results<Ok<JournalEntryView>, ProblemHttpResult>> GetAsync(Guid id, JournalService journal, CancellationToken cancellationToken) =>
        (await journal.GetAsync(id, cancellationToken)).ToOk();

    private static async Task<Results<Ok<JournalEntryView>, ProblemHttpResult>> UpdateAsync(
        Guid id, JournalEntryRequest request, JournalService journal, CancellationToken cancellationToken) =>
        (await journal.UpdateAsync(id, request, cancellationToken)).ToOk();

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, JournalService journal, CancellationToken cancellationToken) =>
        (await journal.DeleteAsync(id, cancellationToken)).ToNoContent();
}
