using System.Collections.Concurrent;
using System.Text.Json;
using Haven.Platform.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Jobs;

/// <summary>
/// Claims due jobs with <c>FOR UPDATE SKIP LOCKED</c> (instances never block on or double-claim each other's rows),
/// runs them in their own DI scopes, and records the outcome. A claim is a lease: the worker renews it while the
/// handler runs, and a job whose instance died is claimed again once the lease ran out (so jobs run at least once).
/// Also enqueues due occurrences of periodic jobs, once per cluster.
/// </summary>
internal sealed partial class JobWorker(
    NpgsqlDataSource dataSource,
    DatabaseSignals signals,
    IServiceScopeFactory scopes,
    JobRegistry registry,
    JobQueue queue,
    HavenInstance instance,
    TimeProvider clock,
    IOptions<JobsOptions> options,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private DateTimeOffset _nextPeriodicCheck = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var nextRenewal = clock.GetUtcNow() + (settings.Lease / 3);
        var periodicRegistered = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!periodicRegistered)
                    {
                        await RegisterPeriodicAsync(stoppingToken);
                        periodicRegistered = true;
                    }

                    await EnqueueDuePeriodicAsync(stoppingToken);
                    var free = settings.Concurrency - _running.Count;
                    if (free > 0)
                    {
                        foreach (var job in await ClaimAsync(free, stoppingToken))
                        {
                            _running[job.Id] = RunAsync(job, stoppingToken);
                        }
                    }

                    if (clock.GetUtcNow() >= nextRenewal)
                    {
                        await RenewLeasesAsync(stoppingToken);
                        nextRenewal = clock.GetUtcNow() + (settings.Lease / 3);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Never take the instance down: log, and try again at the next wake-up.
                    LogWorkerFailed(logger, e.GetType().Name);
                }

                // Woken by new jobs (any instance) and by a finished job freeing a slot.
                await signals.Jobs.WaitAsync(settings.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Shutting down: running handlers saw the cancellation; let them hand their jobs back.
        await Task.WhenAll(_running.Values);
    }

    private sealed record ClaimedJob(long Id, string Kind, JsonElement Payload, int Attempt, int MaxAttempts);

    private async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            WITH next AS (
                SELECT id FROM platform.jobs
                WHERE kind = ANY($1)
                  AND ((state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2))
                ORDER BY run_at, id
                LIMIT $3
                FOR UPDATE SKIP LOCKED
            )
            UPDATE platform.jobs j
            SET state = 'running', attempts = j.attempts + 1, locked_by = $4, locked_until = $5, updated_at = $2
            FROM next WHERE j.id = next.id
            RETURNING j.id, j.kind, j.payload::text, j.attempts, j.max_attempts
            """);
        command.Parameters.Add(new() { Value = registry.Kinds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = now + options.Value.Lease });
        var jobs = new List<ClaimedJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var payload = JsonDocument.Parse(reader.GetString(2));
            jobs.Add(new ClaimedJob(reader.GetInt64(0), reader.GetString(1), payload.RootElement.Clone(), reader.GetInt32(3), reader.GetInt32(4)));
        }

        return jobs;
    }

    private async Task RunAsync(ClaimedJob job, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var definition = registry.Get(job.Kind);
            if (job.Attempt > job.MaxAttempts)
            {
                // Its last attempt was claimed but never acknowledged: the instance running it died (or the handler hung).
                await FinishAsync(job, "dead", null, "The last attempt did not finish (the instance running it stopped).", CancellationToken.None);
                return;
            }

            JobOutcome outcome;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(job.Kind);
                outcome = await handler.RunAsync(new JobContext(job.Id, job.Kind, job.Payload, job.Attempt, job.MaxAttempts), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutdown interrupted it; the attempt does not count.
                await ReleaseAsync(job);
                return;
            }
            catch (Exception e)
            {
                // Exception messages can carry data values: the row keeps them for operators, the log only the type.
                LogJobThrew(logger, job.Id, job.Kind, job.Attempt, e.GetType().Name);
                outcome = JobOutcome.Retry($"{e.GetType().Name}: {e.Message}");
            }

            switch (outcome)
            {
                case JobOutcome.Completed:
                    await using (var delete = dataSource.CreateCommand("DELETE FROM platform.jobs WHERE id = $1 AND locked_by = $2"))
                    {
                        delete.Parameters.Add(new() { Value = job.Id });
                        delete.Parameters.Add(new() { Value = instance.Id });
                        await delete.ExecuteNonQueryAsync(CancellationToken.None);
                    }

                    break;
                case JobOutcome.RetryLater retry when job.Attempt < job.MaxAttempts:
                    await FinishAsync(job, "pending", clock.GetUtcNow() + (retry.After ?? definition.Backoff(job.Attempt)), retry.Reason, CancellationToken.None);
                    break;
                case JobOutcome.RetryLater retry:
                    LogJobDead(logger, job.Id, job.Kind, job.Attempt);
                    await FinishAsync(job, "dead", null, retry.Reason, CancellationToken.None);
                    break;
                case JobOutcome.Failed failed:
                    LogJobDead(logger, job.Id, job.Kind, job.Attempt);
                    await FinishAsync(job, "dead", null, failed.Reason, CancellationToken.None);
                    break;
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Recording the outcome failed; the lease runs out and the job is claimed again (at least once).
            LogWorkerFailed(logger, e.GetType().Name);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            signals.Jobs.Set();
        }
    }

    private async Task FinishAsync(ClaimedJob job, string state, DateTimeOffset? runAt, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE platform.jobs
            SET state = $3, run_at = coalesce($4, run_at), last_error = $5, locked_by = NULL, locked_until = NULL, updated_at = $6
            WHERE id = $1 AND locked_by = $2
            """);
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = state });
        command.Parameters.Add(new() { Value = (object?)runAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = error.Length > 2000 ? error[..2000] : error });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ReleaseAsync(ClaimedJob job)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE platform.jobs SET state = 'pending', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = $3
            WHERE id = $1 AND locked_by = $2
            """);
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var ids = _running.Keys.ToArray();
        if (ids.Length == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "UPDATE platform.jobs SET locked_until = $3 WHERE id = ANY($1) AND locked_by = $2 AND state = 'running'");
        command.Parameters.Add(new() { Value = ids });
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() + options.Value.Lease });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task RegisterPeriodicAsync(CancellationToken cancellationToken)
    {
        if (registry.Periodic.Count == 0)
        {
            return;
        }

        // First start of a new periodic job: its first occurrence is due at once.
        await using var command = dataSource.CreateCommand(
            "INSERT INTO platform.periodic_jobs (name, next_run_at) SELECT unnest($1), $2 ON CONFLICT (name) DO NOTHING");
        command.Parameters.Add(new() { Value = registry.Periodic.Select(p => p.Kind).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Once per cluster: moving <c>next_run_at</c> forward is a conditional UPDATE on one row, so of several instances
    /// finding the same occurrence due, the row lock lets exactly one win (the others re-check the condition after it
    /// commits and match nothing). The winner enqueues the occurrence in the same transaction, deduplicated by name so
    /// a slow occurrence never overlaps the next.
    /// </summary>
    private async Task EnqueueDuePeriodicAsync(CancellationToken cancellationToken)
    {
        if (registry.Periodic.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        if (now < _nextPeriodicCheck)
        {
            return;
        }

        _nextPeriodicCheck = now + options.Value.PollInterval;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var enqueued = false;
        foreach (var periodic in registry.Periodic)
        {
            await using var advance = new NpgsqlCommand(
                "UPDATE platform.periodic_jobs SET next_run_at = $3, last_enqueued_at = $2 WHERE name = $1 AND next_run_at <= $2",
                connection, transaction);
            advance.Parameters.Add(new() { Value = periodic.Kind });
            advance.Parameters.Add(new() { Value = now });
            advance.Parameters.Add(new() { Value = now + periodic.Interval!.Value });
            if (await advance.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await queue.EnqueueAsync(connection, transaction, new JobRequest(periodic.Kind) { DedupeKey = "periodic:" + periodic.Kind }, cancellationToken);
                enqueued = true;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (enqueued)
        {
            signals.Jobs.Set();
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Job worker database call failed ({Error}); retrying")]
    private static partial void LogWorkerFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) attempt {Attempt} threw {Error}")]
    private static partial void LogJobThrew(ILogger logger, long jobId, string kind, int attempt, string error);

    [LoggerMessage(EventId = 122, Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) is dead after attempt {Attempt}")]
    private static partial void LogJobDead(ILogger logger, long jobId, string kind, int attempt);
}
