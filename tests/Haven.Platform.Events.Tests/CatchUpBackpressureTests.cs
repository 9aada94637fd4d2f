using Haven.Platform.Events.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests;

public sealed class SmallQueueFixture : EventsAppFixture
{
    protected override void Configure(HavenTestAppOptions options) =>
        options.Settings["Haven:Realtime:MaxQueuedMessagesPerConnection"] = "600";
}

/// <summary>A client back after a long absence catches up on far more than one connection may have queued at once.</summary>
public sealed class CatchUpBackpressureTests(SmallQueueFixture fixture) : IClassFixture<SmallQueueFixture>
{
    [Fact]
    public async Task A_catch_up_larger_than_the_queue_limit_arrives_whole_without_disconnecting_the_client()
    {
        var user = await fixture.App.NewUserAsync();
        var start = await fixture.App.Services.GetRequiredService<IEventFeed>().LatestPositionAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 2500; i += 500)
        {
            await fixture.App.PublishAsync([.. Enumerable.Range(i, 500).Select(n => EventsApp.ToUser(user.Id, "test.changed", new { n }))]);
        }

        var client = await fixture.Clients.ConnectAsync(fixture.App, user);
        await client.SubscribeAsync(start);

        var received = await client.WaitForCountAsync("test.changed", 2500, TimeSpan.FromSeconds(30));
        received.Select(m => m.Payload["n"]!.GetValue<int>()).Should().Equal(Enumerable.Range(0, 2500));
        client.Closed.IsCompleted.Should().BeFalse();
    }
}
