using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Jobs;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests;

public sealed class RetentionFixture : EventsAppFixture
{
    public TestClock Clock { get; } = new();

    protected override void Configure(HavenTestAppOptions options) => options.Clock = Clock;
}

/// <summary>Old events are deleted; a client whose cursor is older than that is told to reload instead of silently missing them.</summary>
public sealed class EventRetentionTests(RetentionFixture fixture) : IClassFixture<RetentionFixture>
{
    [Fact]
    public async Task A_cursor_older_than_retention_gets_reset_required_and_newer_cursors_keep_working()
    {
        var app = fixture.App;
        var user = await app.NewUserAsync();
        var feed = app.Services.GetRequiredService<IEventFeed>();
        var oldCursor = await feed.LatestPositionAsync(TestContext.Current.CancellationToken);
        await app.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = "old" }));
        await WaitUntilAsync(async () => (await feed.ReadAsync([EventAudience.User(user.Id)], oldCursor, 10, TestContext.Current.CancellationToken)).Events.Count == 1);

        fixture.Clock.Advance(TimeSpan.FromDays(31));
        await app.Services.GetRequiredService<IJobQueue>().EnqueueAsync(new JobRequest("platform.events_prune"), TestContext.Current.CancellationToken);
        await WaitUntilAsync(async () => (await feed.ReadAsync([EventAudience.User(user.Id)], oldCursor, 10, TestContext.Current.CancellationToken)).ResetRequired);
        var prunedThrough = await feed.LatestPositionAsync(TestContext.Current.CancellationToken);
        await app.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = "new" }));

        var stale = await fixture.Clients.ConnectAsync(app, user);
        var staleAnswer = await stale.SubscribeAsync(oldCursor);
        var current = await fixture.Clients.ConnectAsync(app, user);
        var currentAnswer = await current.SubscribeAsync(prunedThrough);

        staleAnswer["reset_required"]!.GetValue<bool>().Should().BeTrue();
        currentAnswer["reset_required"]!.GetValue<bool>().Should().BeFalse();
        (await current.WaitForAsync("test.changed")).Payload["n"]!.GetValue<string>().Should().Be("new");
        await app.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = "live" }));
        (await stale.WaitForAsync("test.changed")).Payload["n"]!.GetValue<string>().Should().Be("live", "after the reset the stream continues live");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true in time.");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
