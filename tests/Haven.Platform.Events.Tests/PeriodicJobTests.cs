using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Jobs;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests;

/// <summary>Two instances sharing one hand-driven clock, with a periodic job every minute.</summary>
public sealed class PeriodicJobsFixture : IAsyncLifetime
{
    public JobLog Log { get; } = new();

    public TestClock Clock { get; } = new();

    public HavenTestApp First { get; private set; } = null!;

    public HavenTestApp Second { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        void Services(IServiceCollection s)
        {
            s.AddSingleton(Log);
            s.AddHavenPeriodicJob<TickJob>("test.tick", TimeSpan.FromMinutes(1));
        }

        First = await HavenTestApp.StartAsync(o =>
        {
            EventsApp.Configure(o, new CaseAccess(), services: Services);
            o.Clock = Clock;
        });
        Second = await HavenTestApp.StartAsync(o =>
        {
            EventsApp.Configure(o.JoinClusterOf(First), new CaseAccess(), services: Services);
            o.Clock = Clock;
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}

public sealed class PeriodicJobTests(PeriodicJobsFixture fixture) : IClassFixture<PeriodicJobsFixture>
{
    [Fact]
    public async Task A_periodic_job_runs_once_per_interval_across_the_cluster_not_once_per_instance()
    {
        for (var occurrence = 1; occurrence <= 3; occurrence++)
        {
            await WaitForTicksAsync(occurrence);
            // Both instances poll several times while the clock stands still; none may start the occurrence again.
            await Task.Delay(600, TestContext.Current.CancellationToken);
            fixture.Log.RunsOf("tick").Should().HaveCount(occurrence);
            fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    private async Task WaitForTicksAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (fixture.Log.RunsOf("tick").Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {fixture.Log.RunsOf("tick").Count} of {count} occurrences ran.");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
