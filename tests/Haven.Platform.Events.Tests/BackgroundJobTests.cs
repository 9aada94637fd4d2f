using Haven.Platform.Data;
using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Jobs;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Events.Tests;

/// <summary>Two instances on one database with the test job handlers.</summary>
public sealed class JobsFixture : IAsyncLifetime
{
    public JobLog Log { get; } = new();

    public HavenTestApp First { get; private set; } = null!;

    public HavenTestApp Second { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        First = await HavenTestApp.StartAsync(o => EventsApp.Configure(o, new CaseAccess(), services: s => JobLog.Register(s, Log)));
        Second = await HavenTestApp.StartAsync(o => EventsApp.Configure(o.JoinClusterOf(First), new CaseAccess(), services: s => JobLog.Register(s, Log)));
    }

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}

public sealed class BackgroundJobTests(JobsFixture fixture) : IClassFixture<JobsFixture>
{
    private JobLog Log => fixture.Log;

    private IJobQueue Queue => fixture.First.Services.GetRequiredService<IJobQueue>();

    [Fact]
    public async Task A_job_enqueued_with_a_change_runs_after_commit_and_one_in_a_rolled_back_transaction_never_runs()
    {
        var (kept, discarded) = (Key(), Key());
        await EnqueueInTransactionAsync(new JobRequest("test.record", new JobKey(discarded)), commit: false);
        await EnqueueInTransactionAsync(new JobRequest("test.record", new JobKey(kept)), commit: true);

        await WaitForAsync(() => Log.RunsOf(kept).Count == 1);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Log.RunsOf(discarded).Should().BeEmpty();
        (await JobRowsAsync("test.record", kept)).Should().BeEmpty("a finished job leaves the table");
    }

    [Fact]
    public async Task Enqueueing_outside_a_transaction_through_a_DbContext_is_refused()
    {
        await using var scope = fixture.First.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();

        var enqueue = () => Queue.EnqueueAsync(db, new JobRequest("test.record", new JobKey(Key())));

        await enqueue.Should().ThrowAsync<InvalidOperationException>().WithMessage("*transaction*");
    }

    [Fact]
    public async Task An_unknown_job_kind_is_refused_when_enqueued()
    {
        var enqueue = () => Queue.EnqueueAsync(new JobRequest("test.nobody_handles_this"));

        await enqueue.Should().ThrowAsync<InvalidOperationException>().WithMessage("*test.nobody_handles_this*");
    }

    [Fact]
    public async Task A_failing_job_is_retried_with_backoff_until_it_succeeds()
    {
        var key = Key();
        await Queue.EnqueueAsync(new JobRequest("test.flaky", new JobKey(key, FailTimes: 2)), TestContext.Current.CancellationToken);

        await WaitForAsync(() => Log.RunsOf(key).Count == 3);
        Log.RunsOf(key).Select(r => r.Attempt).Should().Equal(1, 2, 3);
        await WaitForAsync(async () => (await JobRowsAsync("test.flaky", key)).Count == 0);
    }

    [Fact]
    public async Task A_job_that_keeps_failing_is_dead_after_its_attempts_with_the_error_kept_and_can_be_requeued()
    {
        var key = Key();
        Log.Broken[key] = true;
        await Queue.EnqueueAsync(new JobRequest("test.switch", new JobKey(key)), TestContext.Current.CancellationToken);

        await WaitForAsync(async () => (await JobRowsAsync("test.switch", key)).SingleOrDefault()?.State == "dead");
        var dead = (await JobRowsAsync("test.switch", key)).Single();
        dead.Attempts.Should().Be(3);
        dead.LastError.Should().Be("still broken: " + key);
        Log.RunsOf(key).Should().HaveCount(3);

        Log.Broken.TryRemove(key, out _);
        (await Queue.RequeueDeadAsync(dead.Id, TestContext.Current.CancellationToken)).Should().BeTrue();
        await WaitForAsync(async () => (await JobRowsAsync("test.switch", key)).Count == 0);
        Log.RunsOf(key).Should().HaveCount(4);
        (await Queue.RequeueDeadAsync(dead.Id, TestContext.Current.CancellationToken)).Should().BeFalse("it is no longer dead");
    }

    [Fact]
    public async Task A_job_that_can_never_succeed_is_dead_after_one_attempt()
    {
        var key = Key();
        await Queue.EnqueueAsync(new JobRequest("test.reject", new JobKey(key)), TestContext.Current.CancellationToken);

        await WaitForAsync(async () => (await JobRowsAsync("test.reject", key)).SingleOrDefault()?.State == "dead");
        Log.RunsOf(key).Should().HaveCount(1);
        (await JobRowsAsync("test.reject", key)).Single().LastError.Should().Be("the input can never work");
    }

    [Fact]
    public async Task Two_instances_share_the_queue_and_run_each_job_exactly_once()
    {
        var batch = Key();
        var keys = Enumerable.Range(0, 60).Select(i => $"{batch}-{i}").ToList();
        foreach (var key in keys)
        {
            await Queue.EnqueueAsync(new JobRequest("test.record", new JobKey(key, SleepMs: 20)), TestContext.Current.CancellationToken);
        }

        await WaitForAsync(() => keys.All(k => Log.RunsOf(k).Count >= 1), TimeSpan.FromSeconds(30));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var runs = Log.Runs.Where(r => r.Key.StartsWith(batch, StringComparison.Ordinal)).ToList();
        runs.Should().HaveCount(keys.Count, "no job ran twice");
        runs.Select(r => r.Instance).Distinct().Should().HaveCount(2, "both instances took jobs");
    }

    [Fact]
    public async Task A_job_whose_instance_died_mid_run_is_run_again_once_its_lease_ran_out()
    {
        var key = Key();
        await using (var connection = new NpgsqlConnection(fixture.First.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            // What a crash leaves behind: claimed by an instance that no longer exists, lease expired.
            await using var orphan = new NpgsqlCommand("""
                INSERT INTO platform.jobs (kind, payload, state, attempts, max_attempts, run_at, locked_by, locked_until, created_at, updated_at)
                VALUES ('test.record', jsonb_build_object('key', $1::text), 'running', 1, 3, now() - interval '10 minutes', gen_random_uuid(), now() - interval '1 minute', now(), now())
                """, connection);
            orphan.Parameters.Add(new() { Value = key });
            await orphan.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await WaitForAsync(() => Log.RunsOf(key).Count == 1);
        Log.RunsOf(key).Single().Attempt.Should().Be(2);
    }

    [Fact]
    public async Task A_dedupe_key_keeps_a_second_enqueue_of_the_same_work_out()
    {
        var key = Key();
        var later = DateTimeOffset.UtcNow.AddHours(1);
        for (var i = 0; i < 2; i++)
        {
            await Queue.EnqueueAsync(new JobRequest("test.record", new JobKey(key)) { RunAt = later, DedupeKey = "dedupe:" + key }, TestContext.Current.CancellationToken);
        }

        (await JobRowsAsync("test.record", key)).Should().ContainSingle();
    }

    private static string Key() => Guid.NewGuid().ToString("N");

    private async Task EnqueueInTransactionAsync(JobRequest job, bool commit)
    {
        await using var scope = fixture.First.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await scope.ServiceProvider.GetRequiredService<IJobQueue>().EnqueueAsync(db, job, TestContext.Current.CancellationToken);
        if (commit)
        {
            await transaction.CommitAsync(TestContext.Current.CancellationToken);
        }
    }

    private sealed record JobRow(long Id, string State, int Attempts, string? LastError);

    private async Task<IReadOnlyList<JobRow>> JobRowsAsync(string kind, string key)
    {
        await using var connection = new NpgsqlConnection(fixture.First.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT id, state, attempts, last_error FROM platform.jobs WHERE kind = $1 AND payload->>'key' = $2", connection);
        command.Parameters.Add(new() { Value = kind });
        command.Parameters.Add(new() { Value = key });
        var rows = new List<JobRow>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(new JobRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return rows;
    }

    private static Task WaitForAsync(Func<bool> condition, TimeSpan? timeout = null) => WaitForAsync(() => Task.FromResult(condition()), timeout);

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The jobs did not reach the expected state in time.");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
