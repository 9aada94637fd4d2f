using System.Net;
using System.Net.WebSockets;
using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Identity;
using Haven.Platform.Realtime;
using Haven.Testing;
using Haven.Testing.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests;

/// <summary>What a connected client receives, and what it may not.</summary>
public sealed class RealtimeDeliveryTests(EventsAppFixture fixture) : IClassFixture<EventsAppFixture>
{
    private HavenTestApp App => fixture.App;

    private RealtimeClients Clients => fixture.Clients;

    [Fact]
    public async Task An_event_for_a_user_reaches_that_users_connections_and_nobody_elses()
    {
        var (alice, bob) = (await App.NewUserAsync(), await App.NewUserAsync());
        var aliceOnPhone = await Clients.ConnectAsync(App, alice);
        var aliceOnWeb = await Clients.ConnectAsync(App, alice);
        var bobClient = await Clients.ConnectAsync(App, bob);
        foreach (var client in new[] { aliceOnPhone, aliceOnWeb, bobClient })
        {
            await client.SubscribeAsync(null);
        }

        await App.PublishAsync(EventsApp.ToUser(alice.Id, RealtimeEvents.AssignmentNew, new { case_id = "c-1" }));
        await App.PublishAsync(EventsApp.ToUser(bob.Id, "test.ping", new { fence = true }));

        (await aliceOnPhone.WaitForAsync(RealtimeEvents.AssignmentNew)).Payload["case_id"]!.GetValue<string>().Should().Be("c-1");
        await aliceOnWeb.WaitForAsync(RealtimeEvents.AssignmentNew);
        // Bob's own later event arrived, so Alice's earlier one would have arrived before it had it been sent to him.
        await bobClient.WaitForAsync("test.ping");
        bobClient.Received.Should().NotContain(m => m.Event == RealtimeEvents.AssignmentNew);
    }

    [Fact]
    public async Task Events_arrive_as_snake_case_with_their_position()
    {
        var user = await App.NewUserAsync();
        var client = await Clients.ConnectAsync(App, user);
        await client.SubscribeAsync(null);

        await App.PublishAsync(EventsApp.ToUser(user.Id, RealtimeEvents.StatusChanged, new StatusPayload("KIN-241121-7", "in_progress")));

        var message = await client.WaitForAsync(RealtimeEvents.StatusChanged);
        message.Position.Should().BePositive();
        message.Data["type"]!.GetValue<string>().Should().Be(RealtimeEvents.StatusChanged);
        message.Data["occurred_at"].Should().NotBeNull();
        message.Payload["case_number"]!.GetValue<string>().Should().Be("KIN-241121-7");
    }

    [Fact]
    public async Task Group_events_reach_members_the_authorizer_admitted_and_nobody_it_refused()
    {
        var caseId = Guid.NewGuid().ToString("N");
        var group = "case:" + caseId;
        var (survivor, provider, stranger) = (await App.NewUserAsync(), await App.NewUserAsync(), await App.NewUserAsync());
        fixture.Access.Grant(caseId, survivor.Id, provider.Id);
        var survivorClient = await Clients.ConnectAsync(App, survivor);
        var providerClient = await Clients.ConnectAsync(App, provider);
        var strangerClient = await Clients.ConnectAsync(App, stranger);

        var subscribed = await survivorClient.SubscribeAsync(null, group);
        await providerClient.SubscribeAsync(null);
        var joined = await providerClient.InvokeAsync("join", group);
        var refusedAtSubscribe = await strangerClient.SubscribeAsync(null, group);
        var refusedAtJoin = await strangerClient.InvokeAsync("join", group);

        subscribed["joined"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(group);
        joined!["ok"]!.GetValue<bool>().Should().BeTrue();
        refusedAtSubscribe["refused"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(group);
        refusedAtJoin!["ok"]!.GetValue<bool>().Should().BeFalse();
        refusedAtJoin["code"]!.GetValue<string>().Should().Be(RealtimeCodes.GroupNotFound);

        await App.PublishAsync(EventsApp.ToGroup(group, RealtimeEvents.MessageReceived, new { text = "hello" }));
        await App.PublishAsync(EventsApp.ToUser(stranger.Id, "test.ping", new { fence = true }));

        await survivorClient.WaitForAsync(RealtimeEvents.MessageReceived);
        await providerClient.WaitForAsync(RealtimeEvents.MessageReceived);
        await strangerClient.WaitForAsync("test.ping");
        strangerClient.Received.Should().NotContain(m => m.Event == RealtimeEvents.MessageReceived);
    }

    [Fact]
    public async Task A_group_that_does_not_exist_is_refused_exactly_like_one_the_user_may_not_see()
    {
        var caseId = Guid.NewGuid().ToString("N");
        fixture.Access.Grant(caseId, (await App.NewUserAsync()).Id);
        var client = await Clients.ConnectAsync(App, await App.NewUserAsync());
        await client.SubscribeAsync(null);

        var forbidden = await client.InvokeAsync("join", "case:" + caseId);
        var missing = await client.InvokeAsync("join", "case:" + Guid.NewGuid().ToString("N"));

        forbidden!.ToJsonString().Should().Be(missing!.ToJsonString().Replace(missing["group"]!.GetValue<string>(), forbidden["group"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("user:{other}")]
    [InlineData("nosuchkind:1")]
    [InlineData("not a group")]
    public async Task Personal_streams_of_others_and_unknown_kinds_cannot_be_joined(string group)
    {
        var client = await Clients.ConnectAsync(App, await App.NewUserAsync());
        await client.SubscribeAsync(null);

        var answer = await client.InvokeAsync("join", group.Replace("{other}", (await App.NewUserAsync()).Id.ToString()));

        answer!["code"]!.GetValue<string>().Should().Be(RealtimeCodes.GroupNotFound);
    }

    [Fact]
    public async Task A_provider_dashboard_admits_providers_of_that_tenant_only()
    {
        var (tenant, other) = (await App.CreateTenantAsync("kintaraa"), await App.CreateTenantAsync("kintaraa"));
        var group = "provider-dashboard:" + tenant.Id;
        var provider = await Clients.ConnectAsync(App, await App.CreateUserAsync(HavenRoles.Kintaraa.Provider, tenant.Id));
        var otherTenant = await Clients.ConnectAsync(App, await App.CreateUserAsync(HavenRoles.Kintaraa.Provider, other.Id));
        var survivor = await Clients.ConnectAsync(App, await App.NewUserAsync());

        (await provider.SubscribeAsync(null, group))["joined"]!.AsArray().Should().HaveCount(1);
        (await otherTenant.SubscribeAsync(null, group))["refused"]!.AsArray().Should().HaveCount(1);
        (await survivor.SubscribeAsync(null, group))["refused"]!.AsArray().Should().HaveCount(1);
    }

    [Fact]
    public async Task A_client_that_reconnects_with_its_cursor_gets_exactly_what_it_missed_in_order()
    {
        var user = await App.NewUserAsync();
        var caseId = Guid.NewGuid().ToString("N");
        fixture.Access.Grant(caseId, user.Id);
        var group = "case:" + caseId;
        var first = await Clients.ConnectAsync(App, user);
        await first.SubscribeAsync(null, group);
        await App.PublishAsync([.. Enumerable.Range(1, 3).Select(i => EventsApp.ToUser(user.Id, "test.changed", new { n = i }))]);
        await first.WaitForCountAsync("test.changed", 3);
        var cursor = first.Cursor!.Value;
        await first.StopAsync();

        // Missed while away: personal and group events, interleaved with events for somebody else.
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = 4 }), EventsApp.ToUser(Guid.NewGuid(), "test.changed", new { n = -1 }));
        await App.PublishAsync(EventsApp.ToGroup(group, "test.changed", new { n = 5 }));
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = 6 }), EventsApp.ToGroup(group, "test.changed", new { n = 7 }));
        var again = await Clients.ConnectAsync(App, user);
        var answer = await again.SubscribeAsync(cursor, group);
        await App.PublishAsync(EventsApp.ToGroup(group, "test.changed", new { n = 8 }));

        var received = await again.WaitForCountAsync("test.changed", 5);
        received.Select(m => m.Payload["n"]!.GetValue<int>()).Should().Equal(4, 5, 6, 7, 8);
        received.Select(m => m.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        answer["reset_required"]!.GetValue<bool>().Should().BeFalse();
        answer["position"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(cursor);
    }

    [Fact]
    public async Task Catching_up_while_new_events_keep_arriving_delivers_each_event_once_in_order()
    {
        var user = await App.NewUserAsync();
        var start = await App.Services.GetRequiredService<IEventFeed>().LatestPositionAsync(TestContext.Current.CancellationToken);
        await App.PublishAsync([.. Enumerable.Range(0, 600).Select(i => EventsApp.ToUser(user.Id, "test.changed", new { n = i }))]);
        var client = await Clients.ConnectAsync(App, user);

        var live = Task.Run(async () =>
        {
            for (var i = 600; i < 800; i += 5)
            {
                await App.PublishAsync([.. Enumerable.Range(i, 5).Select(n => EventsApp.ToUser(user.Id, "test.changed", new { n }))]);
            }
        }, TestContext.Current.CancellationToken);
        await client.SubscribeAsync(start);
        await live;

        var received = await client.WaitForCountAsync("test.changed", 800, TimeSpan.FromSeconds(30));
        received.Select(m => m.Payload["n"]!.GetValue<int>()).Should().Equal(Enumerable.Range(0, 800));
        received.Select(m => m.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Subscribing_without_a_cursor_starts_live_from_now()
    {
        var user = await App.NewUserAsync();
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = "old" }));
        await WaitForSequencedAsync();
        var client = await Clients.ConnectAsync(App, user);

        await client.SubscribeAsync(null);
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = "new" }));

        await client.WaitForAsync("test.changed");
        client.Received.Where(m => m.Event == "test.changed").Select(m => m.Payload["n"]!.GetValue<string>()).Should().Equal("new");
    }

    [Fact]
    public async Task A_cursor_the_server_never_issued_asks_the_client_to_resynchronise()
    {
        var client = await Clients.ConnectAsync(App, await App.NewUserAsync());

        var answer = await client.SubscribeAsync(long.MaxValue / 2);

        answer["reset_required"]!.GetValue<bool>().Should().BeTrue();
        answer["position"]!.GetValue<long>().Should().BeLessThan(long.MaxValue / 2);
    }

    [Fact]
    public async Task Joining_before_subscribing_and_subscribing_twice_are_refused()
    {
        var client = await Clients.ConnectAsync(App, await App.NewUserAsync());

        (await client.InvokeAsync("join", "case:x"))!["code"]!.GetValue<string>().Should().Be(RealtimeCodes.NotSubscribed);
        await client.SubscribeAsync(null);
        (await client.SubscribeAsync(null))["code"]!.GetValue<string>().Should().Be(RealtimeCodes.AlreadySubscribed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task Connections_without_a_valid_access_token_are_refused(string token)
    {
        var connect = () => Clients.ConnectAsync(App.BaseAddress, PlatformHub.Path, token);
        await connect.Should().ThrowAsync<RealtimeClientException>();

        // The browser API hides the status; a raw WebSocket handshake shows it.
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var url = new UriBuilder(new Uri(App.BaseAddress, PlatformHub.Path)) { Scheme = "ws", Query = "access_token=" + token }.Uri;
        var handshake = () => socket.ConnectAsync(url, TestContext.Current.CancellationToken);
        await handshake.Should().ThrowAsync<WebSocketException>();
        socket.HttpStatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_access_token_in_the_hub_query_string_never_reaches_the_logs()
    {
        var user = await App.NewUserAsync();
        var token = (await App.LoginAsync(user)).AccessToken;
        var client = await Clients.ConnectAsync(App, token);
        await client.SubscribeAsync(null);
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.changed", new { n = 1 }));
        await client.WaitForAsync("test.changed");
        await client.StopAsync();

        // The request line is written when the server finishes the WebSocket request, a moment after the client left.
        for (var i = 0; i < 50 && !App.Logs.Lines.Any(l => l.Contains(PlatformHub.Path)); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        App.Logs.Lines.Should().Contain(l => l.Contains(PlatformHub.Path), "the connection was logged");
        var parts = token.Split('.');
        App.Logs.All.Should().NotContain(parts[2][..20]).And.NotContain(parts[3]).And.NotContain("access_token");
    }

    [Fact]
    public async Task Removing_a_user_from_a_group_stops_delivery_at_once_and_tells_the_client()
    {
        var caseId = Guid.NewGuid().ToString("N");
        var group = "case:" + caseId;
        var (provider, survivor) = (await App.NewUserAsync(), await App.NewUserAsync());
        fixture.Access.Grant(caseId, provider.Id, survivor.Id);
        var providerClient = await Clients.ConnectAsync(App, provider);
        var survivorClient = await Clients.ConnectAsync(App, survivor);
        await providerClient.SubscribeAsync(null, group);
        await survivorClient.SubscribeAsync(null, group);

        await App.Services.GetRequiredService<IRealtime>().RemoveFromGroupAsync(group, provider.Id, TestContext.Current.CancellationToken);
        (await providerClient.WaitForAsync(RealtimeEvents.GroupRemoved)).Data["group"]!.GetValue<string>().Should().Be(group);
        await App.PublishAsync(EventsApp.ToGroup(group, RealtimeEvents.MessageReceived, new { text = "after removal" }));
        await App.PublishAsync(EventsApp.ToUser(provider.Id, "test.ping", new { fence = true }));

        await survivorClient.WaitForAsync(RealtimeEvents.MessageReceived);
        await providerClient.WaitForAsync("test.ping");
        providerClient.Received.Should().NotContain(m => m.Event == RealtimeEvents.MessageReceived);
    }

    [Fact]
    public async Task Disconnecting_a_session_closes_that_sessions_connections_only()
    {
        var user = await App.NewUserAsync();
        var (revoked, kept) = (await App.LoginAsync(user), await App.LoginAsync(user));
        var revokedClient = await Clients.ConnectAsync(App, revoked.AccessToken);
        var keptClient = await Clients.ConnectAsync(App, kept.AccessToken);
        await revokedClient.SubscribeAsync(null);
        await keptClient.SubscribeAsync(null);

        await App.Services.GetRequiredService<IRealtime>().DisconnectAsync(user.Id, revoked.SessionId, TestContext.Current.CancellationToken);

        await revokedClient.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.ping", new { }));
        await keptClient.WaitForAsync("test.ping");
        keptClient.Closed.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task Signing_out_closes_that_sessions_connections_at_once()
    {
        var user = await App.NewUserAsync();
        var (signingOut, staying) = (await App.LoginAsync(user), await App.LoginAsync(user));
        var closing = await Clients.ConnectAsync(App, signingOut.AccessToken);
        var open = await Clients.ConnectAsync(App, staying.AccessToken);
        await closing.SubscribeAsync(null);
        await open.SubscribeAsync(null);

        (await App.CreateClient(signingOut.AccessToken).PostAsync("/api/auth/logout", null, TestContext.Current.CancellationToken))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);

        await closing.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await App.PublishAsync(EventsApp.ToUser(user.Id, "test.ping", new { }));
        await open.WaitForAsync("test.ping");
        open.Closed.IsCompleted.Should().BeFalse("only the signed-out session's connections close");
    }

    [Fact]
    public async Task Losing_a_role_closes_the_users_connections_so_they_come_back_with_the_roles_they_have_now()
    {
        var org = await App.CreateTenantAsync("kintaraa");
        var (admin, _) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Admin, org.Id);
        var provider = await App.CreateUserAsync(HavenRoles.Kintaraa.Provider, org.Id);
        var dashboard = await Clients.ConnectAsync(App, provider);
        (await dashboard.SubscribeAsync(null, "provider-dashboard:" + org.Id))["joined"]!.AsArray().Should().HaveCount(1);
        var grant = (await (await admin.GetAsync($"/api/admin/users/{provider.Id}", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["roles"]![0]!["id"];

        (await admin.DeleteAsync($"/api/admin/users/{provider.Id}/roles/{grant}", TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await dashboard.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private async Task WaitForSequencedAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 200; i++)
        {
            await using var pending = new Npgsql.NpgsqlCommand("SELECT count(*) FROM platform.events WHERE position IS NULL", connection);
            if ((long)(await pending.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 0)
            {
                return;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private sealed record StatusPayload(string CaseNumber, string Status);
}
