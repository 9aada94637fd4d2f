using System.Text.Json;
using Haven.Platform.Events;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Haven.Platform.Jobs;

/// <summary>
/// Runs one kind of job. Registered by name with
/// <see cref="JobServiceCollectionExtensions.AddHavenJob{THandler}"/>; resolved in a fresh DI scope per run.
/// Jobs run at least once: a crash between the work and its acknowledgement runs it again, so handlers must be
/// idempotent (check whether the work is already done, use the job id or a natural key).
/// </summary>
public interface IJobHandler
{
    Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler gets: the job's id, kind, payload and which attempt this is (1-based).</summary>
public sealed record JobContext(long Id, string Kind, JsonElement Payload, int Attempt, int MaxAttempts)
{
    public T PayloadAs<T>() => Payload.Deserialize<T>(EventEnvelope.Json)
        ?? throw new InvalidOperationException($"Job {Id} ({Kind}) has no payload.");
}

/// <summary>
/// How a run ended. <see cref="Done"/> deletes the job; <see cref="Retry"/> runs it again after a backoff (or the given
/// delay) until its attempts are used up, then it is dead; <see cref="Fail"/> makes it dead at once (retrying cannot
/// help). An exception counts as <see cref="Retry"/>.
/// </summary>
public abstract record JobOutcome
{
    private JobOutcome()
    {
    }

    public static JobOutcome Done { get; } = new Completed();

    public static JobOutcome Retry(string reason, TimeSpan? after = null) => new RetryLater(reason, after);

    public static JobOutcome Fail(string reason) => new Failed(reason);

    internal sealed record Completed : JobOutcome;

    internal sealed record RetryLater(string Reason, TimeSpan? After) : JobOutcome;

    internal sealed record Failed(string Reason) : JobOutcome;
}

/// <summary>A job to enqueue. The payload is stored as snake_case JSON in plain text: put ids in it, never case content.</summary>
public sealed record JobRequest(string Kind, object? Payload = null)
{
    /// <summary>Not before this time (default: now).</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>While a job with this key is pending or running, enqueueing another with the same key does nothing.</summary>
    public string? DedupeKey { get; init; }
}

/// <summary>Enqueues background jobs; the transactional overloads commit the job together with the caller's change.</summary>
public interface IJobQueue
{
    /// <summary>Enqueues inside <paramref name="db"/>'s current transaction (throws if it has none).</summary>
    Task EnqueueAsync(DbContext db, JobRequest job, CancellationToken cancellationToken = default);

    Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JobRequest job, CancellationToken cancellationToken = default);

    /// <summary>Enqueues in a transaction of its own.</summary>
    Task EnqueueAsync(JobRequest job, CancellationToken cancellationToken = default);

    /// <summary>Puts a dead job back in the queue with fresh attempts; false when no dead job has that id.</summary>
    Task<bool> RequeueDeadAsync(long jobId, CancellationToken cancellationToken = default);
}
