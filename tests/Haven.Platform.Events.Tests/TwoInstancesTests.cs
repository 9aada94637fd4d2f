using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Realtime;
using Haven.Testing;
using Haven.Testing.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Events.Tests;

/// <summary>Two instances of the host on one database, as behind a load balancer: each serves its own clients.</summary>
public sealed class TwoInstancesFixture : EventsAppFixture
{
    private HavenTestApp? _second;

    public HavenTestApp Second => _second ?? throw new InvalidOperationException("not started");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _second = await HavenTestApp.StartAsync(o => EventsApp.Configure(o.JoinClusterOf(App), Access));
    }

    public override async ValueTask DisposeAsync()
    {
        // The second instance leaves first: the first owns the database.
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

public sealed class TwoInstancesTests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    private HavenTestApp First => fixture.App;

    private HavenTestApp Second => fixture.Second;

    private RealtimeClients Clients => fixture.Clients;

    [Fact]
    public async Task Each_instance_delivers_to_its_own_clients_whichever_instance_published()
    {
        var caseId = Guid.NewGuid().ToString("N");
        var group = "case:" + caseId;
        var (survivor, provider) = (await First.NewUserAsync(), await First.NewUserAsync());
        fixture.Access.Grant(caseId, survivor.Id, provider.Id);
        var onFirst = await Clients.ConnectAsync(First, survivor);
        var onSecond = await Clients.ConnectAsync(Second, provider);
        await onFirst.SubscribeAsync(null, group);
        await onSecond.SubscribeAsync(null, group);

        await First.PublishAsync(EventsApp.ToGroup(group, RealtimeEvents.MessageReceived, new { text = "from the first" }));
        await Second.PublishAsync(EventsApp.ToGroup(group, RealtimeEvents.MessageReceived, new { text = "from the second" }));
        await Second.PublishAsync(EventsApp.ToUser(survivor.Id, RealtimeEvents.AssignmentNew, new { to = "survivor" }));
        await First.PublishAsync(EventsApp.ToUser(provider.Id, RealtimeEvents.AssignmentNew, new { to = "provider" }));

        foreach (var client in new[] { onFirst, onSecond })
        {
            var messages = await client.WaitForCountAsync(RealtimeEvents.MessageReceived, 2);
            messages.Select(m => m.Payload["text"]!.GetValue<string>()).Should().Equal("from the first", "from the second");
        }

        (await onFirst.WaitForAsync(RealtimeEvents.AssignmentNew)).Payload["to"]!.GetValue<string>().Should().Be("survivor");
        (await onSecond.WaitForAsync(RealtimeEvents.AssignmentNew)).Payload["to"]!.GetValue<string>().Should().Be("provider");
    }

    [Fact]
    public async Task A_client_that_moves_to_the_other_instance_catches_up_from_its_cursor()
    {
        var user = await First.NewUserAsync();
        var before = await Clients.ConnectAsync(First, user);
        await before.SubscribeAsync(null);
        await Second.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = 1 }));
        await before.WaitForAsync("test.changed");
        await before.StopAsync();

        await First.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = 2 }));
        await Second.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = 3 }));
        var after = await Clients.ConnectAsync(Second, user);
        await after.SubscribeAsync(before.Cursor);

        (await after.WaitForCountAsync("test.changed", 2)).Select(m => m.Payload["n"]!.GetValue<int>()).Should().Equal(2, 3);
    }

    [Fact]
    public async Task Presence_and_typing_are_seen_across_instances()
    {
        var caseId = Guid.NewGuid().ToString("N");
        var group = "case:" + caseId;
        var (survivor, provider) = (await First.NewUserAsync(), await First.NewUserAsync());
        fixture.Access.Grant(caseId, survivor.Id, provider.Id);
        var onFirst = await Clients.ConnectAsync(First, survivor);
        await onFirst.SubscribeAsync(null, group);
        var onSecond = await Clients.ConnectAsync(Second, provider);
        await onSecond.SubscribeAsync(null);

        var joined = await onSecond.InvokeAsync("join", group);
        joined!["online"]!.AsArray().Select(u => u!.GetValue<Guid>()).Should().BeEquivalentTo([survivor.Id, provider.Id]);
        var cameOnline = await onFirst.WaitForAsync(m => m.Event == RealtimeEvents.PresenceChanged && m.Payload["user_id"]!.GetValue<Guid>() == provider.Id);
        cameOnline.Payload["online"]!.GetValue<bool>().Should().BeTrue();
        cameOnline.Data["group"]!.GetValue<string>().Should().Be(group);
        (await onFirst.InvokeAsync("presence", group))!["online"]!.AsArray().Should().HaveCount(2);

        (await onSecond.InvokeAsync("typing", group, true))!["ok"]!.GetValue<bool>().Should().BeTrue();
        var typing = await onFirst.WaitForAsync(RealtimeEvents.TypingChanged);
        typing.Payload["user_id"]!.GetValue<Guid>().Should().Be(provider.Id);
        typing.Payload["is_typing"]!.GetValue<bool>().Should().BeTrue();

        await onSecond.StopAsync();
        var wentOffline = await onFirst.WaitForAsync(m =>
            m.Event == RealtimeEvents.PresenceChanged && m.Payload["user_id"]!.GetValue<Guid>() == provider.Id && !m.Payload["online"]!.GetValue<bool>());
        wentOffline.Should().NotBeNull();
        (await onFirst.WaitForAsync(m => m.Event == RealtimeEvents.TypingChanged && !m.Payload["is_typing"]!.GetValue<bool>()))
            .Payload["user_id"]!.GetValue<Guid>().Should().Be(provider.Id, "a member who leaves while typing stops typing");
        (await onFirst.InvokeAsync("presence", group))!["online"]!.AsArray().Select(u => u!.GetValue<Guid>()).Should().Equal(survivor.Id);
        onSecond.Received.Should().NotContain(m => m.Event == RealtimeEvents.TypingChanged, "nobody is told about their own typing");
    }

    [Fact]
    public async Task Typing_in_a_group_the_connection_has_not_joined_is_refused()
    {
        var client = await Clients.ConnectAsync(Second, await First.NewUserAsync());
        await client.SubscribeAsync(null);

        (await client.InvokeAsync("typing", "case:" + Guid.NewGuid().ToString("N"), true))!["code"]!.GetValue<string>().Should().Be(RealtimeCodes.NotAMember);
        (await client.InvokeAsync("presence", "case:" + Guid.NewGuid().ToString("N")))!["code"]!.GetValue<string>().Should().Be(RealtimeCodes.NotAMember);
    }

    [Fact]
    public async Task A_user_stays_online_in_a_group_while_any_of_their_connections_on_any_instance_is()
    {
        var caseId = Guid.NewGuid().ToString("N");
        var group = "case:" + caseId;
        var (watcher, provider) = (await First.NewUserAsync(), await First.NewUserAsync());
        fixture.Access.Grant(caseId, watcher.Id, provider.Id);
        var watching = await Clients.ConnectAsync(First, watcher);
        await watching.SubscribeAsync(null, group);
        var phone = await Clients.ConnectAsync(First, provider);
        var laptop = await Clients.ConnectAsync(Second, provider);
        await phone.SubscribeAsync(null, group);
        await laptop.SubscribeAsync(null, group);

        await phone.StopAsync();
        await First.PublishAsync(EventsApp.ToUser(watcher.Id, "test.ping", new { fence = true }));
        await watching.WaitForAsync("test.ping");
        var online = await fixture.App.Services.GetRequiredService<IRealtime>().OnlineUsersAsync(group, TestContext.Current.CancellationToken);

        online.Should().Contain(provider.Id);
        watching.Received.Should().NotContain(m => m.Event == RealtimeEvents.PresenceChanged && m.Payload["user_id"]!.GetValue<Guid>() == provider.Id
            && !m.Payload["online"]!.GetValue<bool>(), "the laptop is still connected");
    }

    [Fact]
    public async Task An_instance_that_stops_heartbeating_drops_out_of_presence_and_its_users_are_announced_offline()
    {
        var caseId = Guid.NewGuid().ToString("N");
        var group = "case:" + caseId;
        var (watcher, provider) = (await First.NewUserAsync(), await First.NewUserAsync());
        fixture.Access.Grant(caseId, watcher.Id, provider.Id);
        var watching = await Clients.ConnectAsync(First, watcher);
        await watching.SubscribeAsync(null, group);
        var stalled = await Clients.ConnectAsync(Second, provider);
        await stalled.SubscribeAsync(null, group);

        // Simulate the second instance freezing: its heartbeat falls behind the timeout, and the sweep runs. Its real
        // heartbeat keeps ticking, so keep it stale until the sweep has seen it.
        await using (var connection = new NpgsqlConnection(First.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            var announced = watching.WaitForAsync(m => m.Event == RealtimeEvents.PresenceChanged
                && m.Payload["user_id"]!.GetValue<Guid>() == provider.Id && !m.Payload["online"]!.GetValue<bool>(), TimeSpan.FromSeconds(15));
            while (!announced.IsCompleted)
            {
                await using var stale = new NpgsqlBatch(connection);
                var instance = new NpgsqlBatchCommand("""
                    UPDATE platform.realtime_instances SET heartbeat_at = now() - interval '1 hour'
                    WHERE id = (SELECT instance_id FROM platform.realtime_connections WHERE user_id = $1)
                    """);
                instance.Parameters.Add(new() { Value = provider.Id });
                stale.BatchCommands.Add(instance);
                stale.BatchCommands.Add(new NpgsqlBatchCommand(
                    "UPDATE platform.periodic_jobs SET next_run_at = now() - interval '1 second' WHERE name = 'platform.presence_sweep'"));
                await stale.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
                await Task.WhenAny(announced, Task.Delay(100, TestContext.Current.CancellationToken));
            }

            (await announced).Data["group"]!.GetValue<string>().Should().Be(group);
        }

        // The frozen instance wakes up, finds itself swept, registers its clients again and says so.
        var back = await watching.WaitForAsync(m => m.Event == RealtimeEvents.PresenceChanged
            && m.Payload["user_id"]!.GetValue<Guid>() == provider.Id && m.Payload["online"]!.GetValue<bool>(), TimeSpan.FromSeconds(15));
        back.Data["group"]!.GetValue<string>().Should().Be(group);
        var realtime = Second.Services.GetRequiredService<IRealtime>();
        for (var i = 0; !(await realtime.OnlineUsersAsync(group, TestContext.Current.CancellationToken)).Contains(provider.Id); i++)
        {
            i.Should().BeLessThan(300, "the instance re-registers within a few heartbeats");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
