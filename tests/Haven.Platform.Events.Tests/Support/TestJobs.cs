using System.Collections.Concurrent;
using Haven.Platform.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests.Support;

public sealed record JobRun(long JobId, string Key, int Attempt, Guid Instance);

/// <summary>What the test job handlers did, shared by every app of a test class (they run in one process).</summary>
public sealed class JobLog
{
    public ConcurrentQueue<JobRun> Runs { get; } = new();

    /// <summary>Keys whose <see cref="SwitchJob"/> fails until removed.</summary>
    public ConcurrentDictionary<string, bool> Broken { get; } = new();

    public IReadOnlyList<JobRun> RunsOf(string key) => [.. Runs.Where(r => r.Key == key)];

    public static void Register(IServiceCollection services, JobLog log)
    {
        services.AddSingleton(log);
        var quick = (JobDefinition d) => d with { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) };
        services.AddHavenJob<RecordingJob>("test.record", quick);
        services.AddHavenJob<FlakyJob>("test.flaky", quick);
        services.AddHavenJob<SwitchJob>("test.switch", quick);
        services.AddHavenJob<RejectingJob>("test.reject", quick);
    }
}

public sealed record JobKey(string Key, int SleepMs = 0, int FailTimes = 0);

public sealed class RecordingJob(JobLog log, HavenInstance instance) : IJobHandler
{
    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.PayloadAs<JobKey>();
        await Task.Delay(payload.SleepMs, cancellationToken);
        log.Runs.Enqueue(new JobRun(context.Id, payload.Key, context.Attempt, instance.Id));
        return JobOutcome.Done;
    }
}

/// <summary>Throws on its first <see cref="JobKey.FailTimes"/> attempts.</summary>
public sealed class FlakyJob(JobLog log, HavenInstance instance) : IJobHandler
{
    public Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.PayloadAs<JobKey>();
        log.Runs.Enqueue(new JobRun(context.Id, payload.Key, context.Attempt, instance.Id));
        return context.Attempt <= payload.FailTimes
            ? throw new InvalidOperationException($"flaky failure {context.Attempt}")
            : Task.FromResult(JobOutcome.Done);
    }
}

/// <summary>Asks for a retry while its key is marked broken.</summary>
public sealed class SwitchJob(JobLog log, HavenInstance instance) : IJobHandler
{
    public Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.PayloadAs<JobKey>();
        log.Runs.Enqueue(new JobRun(context.Id, payload.Key, context.Attempt, instance.Id));
        return Task.FromResult(log.Broken.ContainsKey(payload.Key) ? JobOutcome.Retry("still broken: " + payload.Key) : JobOutcome.Done);
    }
}

public sealed class RejectingJob(JobLog log, HavenInstance instance) : IJobHandler
{
    public Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        log.Runs.Enqueue(new JobRun(context.Id, context.PayloadAs<JobKey>().Key, context.Attempt, instance.Id));
        return Task.FromResult(JobOutcome.Fail("the input can never work"));
    }
}

/// <summary>A periodic job: records each occurrence.</summary>
public sealed class TickJob(JobLog log, HavenInstance instance) : IJobHandler
{
    public Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        log.Runs.Enqueue(new JobRun(context.Id, "tick", context.Attempt, instance.Id));
        return Task.FromResult(JobOutcome.Done);
    }
}
