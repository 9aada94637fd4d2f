using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Haven.Pss.Access;

internal static class OutcomeResults
{
    public static Results<Ok<T>, ProblemHttpResult> ToOk<T>(this Outcome<T> outcome) =>
        outcome.Failed ? outcome.Error!.ToProblem() : TypedResults.Ok(outcome.Value!);

    public static Results<NoContent, ProblemHttpResult> ToNoContent(this Error? error) =>
        error is null ? TypedResults.NoContent() : error.ToProblem();
}
