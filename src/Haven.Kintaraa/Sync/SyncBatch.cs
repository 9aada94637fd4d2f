using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.SelfService;
using Haven.Platform.Events;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Validation;

namespace Haven.Kintaraa.Sync;

/// <summary>
/// One operation the app recorded offline. <see cref="Id"/> is the app's own UUID for it, generated when the survivor
/// acted: a report's case id, a message's id. Fields used per <see cref="Type"/>:
/// <c>create_report</c> → <see cref="Report"/>; <c>send_message</c> → <see cref="IncidentId"/>, <see cref="Body"/>;
/// <c>update_safety_plan</c> → <see cref="SafetyPlan"/> (with the version it was edited from);
/// <c>mark_read</c> → <see cref="IncidentId"/> (all read) or <see cref="MessageId"/> (read up to that message).
/// The nested requests are validated per operation (<see cref="SkipValidationAttribute"/>): one invalid report must be
/// that operation's <c>rejected</c> answer, not a refusal of the whole batch.
/// </summary>
// ASP0029 marks SkipValidation as under evaluation; it is the only way to keep the nested requests' schemas in the
// OpenAPI document while validating them per operation. If it changes, the batch tests with an invalid report fail.
#pragma warning disable ASP0029
public sealed record SyncOperation(
    Guid? Id,
    string? Type,
    [SkipValidation][property: SkipValidation] ReportIncidentRequest? Report = null,
    Guid? IncidentId = null,
    string? Body = null,
    Guid? MessageId = null,
    [SkipValidation][property: SkipValidation] SafetyPlanRequest? SafetyPlan = null);
#pragma warning restore ASP0029

public sealed record SyncBatchRequest([property: Required] IReadOnlyList<SyncOperation>? Operations);

/// <summary>Why one operation was not applied: the problem document's members, and on a conflict the server's copy.</summary>
public sealed record SyncProblem(string Code, string Title, string? Detail, IReadOnlyDictionary<string, string[]>? Errors, object? Current);

/// <summary>
/// The answer to one operation. <see cref="Status"/>: <c>applied</c>, <c>conflict</c> (the server's copy won; it is in
/// <c>problem.current</c>) or <c>rejected</c> (invalid, or not allowed). <see cref="HttpStatus"/> is what the single
/// REST call would have answered. <see cref="Replayed"/>: an earlier batch applied it; this is that answer again.
/// </summary>
public sealed record SyncOperationResult(Guid? Id, string? Type, string Status, int HttpStatus, bool Replayed, JsonElement? Result, SyncProblem? Problem);

public sealed record SyncBatchResult(IReadOnlyList<SyncOperationResult> Results, int Applied, IReadOnlyList<Guid> Conflicts, IReadOnlyList<Guid> Rejected);

/// <summary>
/// Applies an offline batch in order, each operation on its own: one that fails does not undo the others, so a batch
/// cut off half-way has applied a prefix, and sending it again applies the rest. Every applied operation's answer is
/// stored under (user, operation id); a repeated id gets that stored answer and changes nothing. Reports and messages
/// are additionally idempotent on their ids in the services themselves, which covers the instant between an
/// operation's commit and its answer being stored; safety-plan saves and their answers commit in one transaction.
/// </summary>
public sealed class SyncBatch(
    KintaraaDbContext db,
    KintaraaCaller caller,
    IncidentService incidents,
    ChatService chat,
    SafetyPlanService plans,
    TimeProvider clock)
{
    public const int MaxOperations = 500;

    public static readonly Error TooManyOperations = new("batch_too_large", StatusCodes.Status400BadRequest,
        $"A sync batch carries at most {MaxOperations} operations.", $"Send the operations in several batches of up to {MaxOperations}, in order.");

    public static readonly Error EmptyBatch = Errors.Validation("operations", "Send at least one operation.");

    private static readonly Error SurvivorsOnly = Errors.Forbidden("survivor_only", "Only a survivor's app records this operation.");

    private static readonly string[] Types = ["create_report", "send_message", "update_safety_plan", "mark_read"];

    public async Task<Outcome<SyncBatchResult>> ApplyAsync(SyncBatchRequest request, CancellationToken cancellationToken)
    {
        var operations = request.Operations ?? [];
        if (operations.Count == 0)
        {
            return EmptyBatch;
        }

        if (operations.Count > MaxOperations)
        {
            return TooManyOperations;
        }

        var me = caller.UserId;
        var ids = operations.Where(o => o?.Id is not null).Select(o => o.Id!.Value).Distinct().ToList();
        var stored = await db.SyncOperations.AsNoTracking().Where(o => o.UserId == me && ids.Contains(o.OpId)).ToDictionaryAsync(o => o.OpId, cancellationToken);
        var results = new List<SyncOperationResult>(operations.Count);
        foreach (var operation in operations)
        {
            var result = await ApplyOneAsync(operation, stored, cancellationToken);
            // Each operation reads afresh: entities a finished one left tracked would only make every later save slower.
            db.ChangeTracker.Clear();
            if (result.Status == "applied" && !result.Replayed)
            {
                // A second copy of this id later in the same batch is a replay too.
                stored[operation.Id!.Value] = new SyncOperationRecord { OpId = operation.Id.Value, Type = operation.Type!, Result = result.Result!.Value.GetRawText() };
            }

            results.Add(result);
        }

        return new SyncBatchResult(
            results,
            results.Count(r => r.Status == "applied"),
            [.. results.Where(r => r.Status == "conflict" && r.Id is not null).Select(r => r.Id!.Value)],
            [.. results.Where(r => r.Status == "rejected" && r.Id is not null).Select(r => r.Id!.Value)]);
    }

    private async Task<SyncOperationResult> ApplyOneAsync(SyncOperation? operation, Dictionary<Guid, SyncOperationRecord> stored, CancellationToken cancellationToken)
    {
        if (operation?.Id is not { } id || id == Guid.Empty)
        {
            return Rejected(operation, Errors.Validation("id", "Every operation needs its own random id (a UUID)."));
        }

        if (operation.Type is not { } type || !Types.Contains(type))
        {
            return Rejected(operation, Errors.Validation("type", $"The type is one of: {string.Join(", ", Types)}."));
        }

        if (stored.TryGetValue(id, out var earlier))
        {
            return earlier.Type == type
                ? await ReplayAsync(operation, earlier, cancellationToken)
                : Rejected(operation, Errors.Conflict("id_in_use", "Another operation already used this id."));
        }

        return type switch
        {
            "create_report" => await ReportAsync(operation, cancellationToken),
            "send_message" => await SendAsync(operation, cancellationToken),
            "update_safety_plan" => await SavePlanAsync(operation, cancellationToken),
            _ => await MarkReadAsync(operation, cancellationToken),
        };
    }

    private async Task<SyncOperationResult> ReplayAsync(SyncOperation operation, SyncOperationRecord earlier, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(earlier.Result);
        // An anonymous report's receipt code is never stored (only its keyed hash); the case's own replay issues a fresh one.
        if (operation.Type == "create_report" && document.RootElement.TryGetProperty("is_anonymous", out var anonymous) && anonymous.GetBoolean())
        {
            return await ReportAsync(operation, cancellationToken, replayed: true);
        }

        return new SyncOperationResult(operation.Id, operation.Type, "applied", StatusCodes.Status200OK, true, document.RootElement.Clone(), null);
    }

    private async Task<SyncOperationResult> ReportAsync(SyncOperation operation, CancellationToken cancellationToken, bool replayed = false)
    {
        if (!caller.IsSurvivor)
        {
            return Rejected(operation, SurvivorsOnly);
        }

        if (operation.Report is not { } report)
        {
            return Rejected(operation, Errors.Validation("report", "A create_report operation carries the report."));
        }

        if (Annotations(report) is { } invalid)
        {
            return Rejected(operation, invalid);
        }

        var outcome = await incidents.ReportAsync(report with { Id = operation.Id }, CaseSource.Sync, cancellationToken);
        if (outcome.Error is { } error)
        {
            return Failed(operation, error);
        }

        var (detail, created) = outcome.Value!;
        var result = new { incident_id = detail.Id, case_number = detail.CaseNumber, status = SnakeEnum<CaseStatus>.Name(detail.Status), version = detail.Version, is_anonymous = detail.IsAnonymous };
        await StoreAsync(operation, result, cancellationToken);
        var answer = detail.ReceiptCode is { } code ? (object)new { result.incident_id, result.case_number, result.status, result.version, result.is_anonymous, receipt_code = code } : result;
        return Applied(operation, answer, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, replayed || !created);
    }

    private async Task<SyncOperationResult> SendAsync(SyncOperation operation, CancellationToken cancellationToken)
    {
        if (operation.IncidentId is not { } incidentId || string.IsNullOrWhiteSpace(operation.Body) || operation.Body.Length > 5000)
        {
            return Rejected(operation, Errors.Validation("body", "A send_message operation names the case (incident_id) and carries a body of 1 to 5000 characters."));
        }

        var outcome = await chat.PostAsync(incidentId, new PostMessageRequest(operation.Id, operation.Body), cancellationToken);
        if (outcome.Error is { } error)
        {
            return Failed(operation, error);
        }

        var (message, created) = outcome.Value;
        var result = new { message_id = message.Id, incident_id = message.IncidentId, seq = message.Seq, created_at = message.CreatedAt };
        await StoreAsync(operation, result, cancellationToken);
        return Applied(operation, result, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, !created);
    }

    private async Task<SyncOperationResult> SavePlanAsync(SyncOperation operation, CancellationToken cancellationToken)
    {
        if (!caller.IsSurvivor)
        {
            return Rejected(operation, SurvivorsOnly);
        }

        if (operation.SafetyPlan is not { } request)
        {
            return Rejected(operation, Errors.Validation("safety_plan", "An update_safety_plan operation carries the plan and the version it was edited from."));
        }

        if (Annotations(request) is { } invalid)
        {
            return Rejected(operation, invalid);
        }

        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var outcome = await plans.SaveAsync(request, cancellationToken);
            // Under the plan's lock now: a copy of this batch running at the same time may have applied it meanwhile.
            if (await db.SyncOperations.AsNoTracking().FirstOrDefaultAsync(o => o.UserId == caller.UserId && o.OpId == operation.Id, cancellationToken) is { } raced)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await ReplayAsync(operation, raced, cancellationToken);
            }

            if (outcome.Error is { } error)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Failed(operation, error);
            }

            var result = new { version = outcome.Value!.Version, updated_at = outcome.Value.UpdatedAt };
            await StoreAsync(operation, result, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Applied(operation, result, StatusCodes.Status200OK, replayed: false);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task<SyncOperationResult> MarkReadAsync(SyncOperation operation, CancellationToken cancellationToken)
    {
        if (operation.IncidentId is null == operation.MessageId is null)
        {
            return Rejected(operation, Errors.Validation("incident_id", "A mark_read operation names either the case (all read) or the last message read."));
        }

        var outcome = await chat.MarkReadAsync(operation.MessageId, operation.IncidentId, cancellationToken);
        if (outcome.Error is { } error)
        {
            return Failed(operation, error);
        }

        var state = outcome.Value!;
        var result = new { incident_id = state.IncidentId, last_read_seq = state.LastReadSeq, unread_count = state.UnreadCount };
        await StoreAsync(operation, result, cancellationToken);
        return Applied(operation, result, StatusCodes.Status200OK, replayed: false);
    }

    /// <summary>Keeps the answer; inside the caller's transaction when there is one. A concurrent copy of the batch may have stored it first.</summary>
    private async Task StoreAsync(SyncOperation operation, object result, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(result, EventEnvelope.Json);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO kintaraa.sync_operations (user_id, op_id, type, result, created_at)
            VALUES ({caller.UserId}, {operation.Id!.Value}, {operation.Type!}, {json}::json, {clock.GetUtcNow()})
            ON CONFLICT (user_id, op_id) DO NOTHING
            """, cancellationToken);
    }

    private static Error? Annotations(object request)
    {
        var found = new List<ValidationResult>();
        if (Validator.TryValidateObject(request, new ValidationContext(request), found, validateAllProperties: true))
        {
            return null;
        }

        var errors = found.SelectMany(r => r.MemberNames.DefaultIfEmpty("").Select(m => (Member: JsonNamingPolicy.SnakeCaseLower.ConvertName(m), r.ErrorMessage ?? "Invalid.")))
            .GroupBy(e => e.Member).ToDictionary(g => g.Key, g => g.Select(e => e.Item2).ToArray());
        return Errors.Validation(errors);
    }

    private static SyncOperationResult Applied(SyncOperation operation, object result, int status, bool replayed) =>
        new(operation.Id, operation.Type, "applied", status, replayed, JsonSerializer.SerializeToElement(result, EventEnvelope.Json), null);

    private static SyncOperationResult Failed(SyncOperation operation, Error error) =>
        error.Status == StatusCodes.Status409Conflict && error.Code == "version_conflict"
            ? new(operation.Id, operation.Type, "conflict", error.Status, false, null, Problem(error))
            : Rejected(operation, error);

    private static SyncOperationResult Rejected(SyncOperation? operation, Error error) =>
        new(operation?.Id, operation?.Type, "rejected", error.Status, false, null, Problem(error));

    private static SyncProblem Problem(Error error) =>
        new(error.Code, error.Title, error.Detail, error.FieldErrors, error.Extensions?.GetValueOrDefault("current"));
}
