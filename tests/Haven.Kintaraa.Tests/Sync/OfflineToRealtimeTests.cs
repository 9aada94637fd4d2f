using Haven.Kintaraa.Data;
using Haven.Kintaraa.Sync;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Realtime;
using Haven.Testing;
using Haven.Testing.Realtime;

namespace Haven.Kintaraa.Tests.Sync;

/// <summary>Two instances of the host on one database, as behind a load balancer, and one Node process of real SignalR clients.</summary>
public sealed class TwoInstancesFixture : KintaraaFixture, IAsyncLifetime
{
    private HavenTestApp? _second;
    private RealtimeClients? _clients;

    public HavenTestApp Second => _second ?? throw new InvalidOperationException("not started");

    public RealtimeClients Clients => _clients ?? throw new InvalidOperationException("not started");

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _second = await HavenTestApp.StartAsync(o =>
        {
            Configure(o);
            o.JoinClusterOf(App);
        });
        _clients = await RealtimeClients.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        // The second instance leaves first: the first owns the database.
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

public sealed class OfflineToRealtimeTests : IClassFixture<TwoInstancesFixture>
{
    private static readonly string[] KintaraaEvents = ["case.created", "message.read", "referral.updated", "provider.availability"];
    private readonly TwoInstancesFixture _fixture;
    private readonly World _world;

    public OfflineToRealtimeTests(TwoInstancesFixture fixture)
    {
        fixture.Clock.Set(KintaraaFixture.Baseline);
        _fixture = fixture;
        _world = new World(fixture.App);
    }

    private Task<RealtimeClient> ConnectAsync(HavenTestApp instance, HttpClient signedIn) =>
        _fixture.Clients.ConnectAsync(instance.BaseAddress, KintaraaHub.Path, signedIn.DefaultRequestHeaders.Authorization!.Parameter!, KintaraaEvents);

    [Fact]
    public async Task A_report_sent_offline_twice_and_once_cut_off_reaches_the_provider_and_the_coordinators_once_within_a_second()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var provider = await ConnectAsync(_fixture.App, clinic.Client);
        await provider.SubscribeAsync(null);
        var coordinator = await ConnectAsync(_fixture.Second, await _world.AdminAsync());
        (await coordinator.SubscribeAsync(null, "kintaraa-admins:all"))["joined"]!.AsArray().Should().ContainSingle();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        object Report(Guid id) => new { id, type = "create_report", report = _world.Report([SupportService.Medical]) };
        var message = new { id = Guid.NewGuid(), type = "send_message", incident_id = second, body = "Sent when the signal came back." };

        // One report first, unmeasured: the first request of a fresh app compiles its code paths (650-800 ms here).
        var warmUp = Guid.NewGuid();
        await (await _world.SurvivorAsync()).Client.BatchAsync(Report(warmUp));
        await provider.WaitUntilAsync(all => all.Any(m => IsAbout(m, RealtimeEvents.AssignmentNew, warmUp)));

        var sentAt = new Dictionary<Guid, long> { [first] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        await survivor.Client.BatchAsync(Report(first));
        await survivor.Client.BatchAsync(Report(first));
        // The second batch is cut off after its first operation; the app sends all of it again.
        sentAt[second] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await survivor.Client.BatchAsync(Report(second));
        var resent = await survivor.Client.BatchAsync(Report(second), message);

        resent.Results.Select(r => r.Replayed).Should().Equal(true, false);
        var offers = await provider.WaitUntilAsync(all => new[] { first, second }.All(id => all.Any(m => IsAbout(m, RealtimeEvents.AssignmentNew, id))));
        var cases = await coordinator.WaitUntilAsync(all => new[] { first, second }.All(id => all.Any(m => IsAbout(m, "case.created", id))));
        foreach (var id in new[] { first, second })
        {
            offers.Single(m => IsAbout(m, RealtimeEvents.AssignmentNew, id)).ReceivedAtMs.Should().BeLessThan(sentAt[id] + 1000, "the provider hears of the report within a second of its first send");
            cases.Single(m => IsAbout(m, "case.created", id)).ReceivedAtMs.Should().BeLessThan(sentAt[id] + 1000);
        }

        // Anything sent twice would have arrived by now.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        foreach (var id in new[] { first, second })
        {
            provider.Received.Count(m => IsAbout(m, RealtimeEvents.AssignmentNew, id)).Should().Be(1, "each report is offered once");
            coordinator.Received.Count(m => IsAbout(m, "case.created", id)).Should().Be(1, "each report is created once");
        }

        provider.Received.Select(m => m.Position).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Both_instances_deliver_chat_typing_and_read_receipts_to_their_own_clients()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var incident = await _world.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        var group = $"kintaraa-case:{incident.Id}";
        var onFirst = await ConnectAsync(_fixture.App, survivor.Client);
        var onSecond = await ConnectAsync(_fixture.Second, clinic.Client);
        (await onFirst.SubscribeAsync(null, group))["joined"]!.AsArray().Should().ContainSingle();
        (await onSecond.SubscribeAsync(null, group))["joined"]!.AsArray().Should().ContainSingle();

        var fromSurvivor = await onFirst.InvokeAsync(RealtimeEvents.MessageSend, new { incident_id = incident.Id, id = Guid.NewGuid(), body = "Are you there?" });
        var fromClinic = await onSecond.InvokeAsync(RealtimeEvents.MessageSend, new { incident_id = incident.Id, id = Guid.NewGuid(), body = "Yes, I am here." });
        await onSecond.InvokeAsync(RealtimeEvents.Typing, group, true);
        await onFirst.InvokeAsync("message.mark_read", new { incident_id = incident.Id });

        fromSurvivor!["ok"]!.GetValue<bool>().Should().BeTrue();
        var survivorMessage = fromSurvivor["value"]!["id"]!.GetValue<string>();
        var clinicMessage = fromClinic!["value"]!["id"]!.GetValue<string>();
        await onSecond.WaitForAsync(m => m.Event == RealtimeEvents.MessageReceived && m.Payload["message_id"]!.GetValue<string>() == survivorMessage);
        await onFirst.WaitForAsync(m => m.Event == RealtimeEvents.MessageReceived && m.Payload["message_id"]!.GetValue<string>() == clinicMessage);
        (await onFirst.WaitForAsync(RealtimeEvents.TypingChanged)).Data.ToJsonString().Should().Contain(clinic.User.Id.ToString());
        (await onSecond.WaitForAsync(m => m.Event == "message.read" && m.Payload["reader_role"]!.GetValue<string>() == "survivor"))
            .Payload["last_read_seq"]!.GetValue<long>().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_status_update_from_the_hub_reaches_the_survivor_and_the_coordinators_dashboard()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var incident = await _world.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        var survivorLive = await ConnectAsync(_fixture.Second, survivor.Client);
        await survivorLive.SubscribeAsync(null);
        var dashboard = await ConnectAsync(_fixture.App, await _world.AdminAsync());
        await dashboard.SubscribeAsync(null, "kintaraa-admins:all");
        var clinicLive = await ConnectAsync(_fixture.App, clinic.Client);
        await clinicLive.SubscribeAsync(null);

        var answer = await clinicLive.InvokeAsync(RealtimeEvents.StatusUpdate, new { incident_id = incident.Id, status = "completed", reason = "Treated and safe." });
        await (await clinic.Client.Put("/api/kintaraa/providers/me/availability", new { is_available = false })).ShouldBeJsonAsync();

        answer!["ok"]!.GetValue<bool>().Should().BeTrue(answer.ToJsonString());
        answer["value"]!["status"]!.GetValue<string>().Should().Be("completed");
        await survivorLive.WaitForAsync(m => m.Event == RealtimeEvents.StatusChanged && m.Payload["status"]!.GetValue<string>() == "completed");
        await dashboard.WaitForAsync(m => m.Event == RealtimeEvents.StatusChanged && m.Payload["incident_id"]!.GetValue<string>() == incident.Id.ToString());
        (await dashboard.WaitForAsync("provider.availability")).Payload["is_available"]!.GetValue<bool>().Should().BeFalse();
        (await clinicLive.WaitForAsync("provider.availability")).Payload["provider_id"]!.GetValue<string>().Should().Be(clinic.Id.ToString());
    }

    [Fact]
    public async Task Nobody_joins_or_writes_to_a_case_they_may_not_see()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var incident = await _world.ReportAsync(survivor, SupportService.Medical);
        var group = $"kintaraa-case:{incident.Id}";
        var stranger = await ConnectAsync(_fixture.App, (await _world.SurvivorAsync()).Client);
        var offered = await ConnectAsync(_fixture.Second, clinic.Client);
        await stranger.SubscribeAsync(null);
        await offered.SubscribeAsync(null);

        var strangerJoin = await stranger.InvokeAsync(RealtimeEvents.Join, group);
        var offeredJoin = await offered.InvokeAsync(RealtimeEvents.Join, group);
        var strangerSend = await stranger.InvokeAsync(RealtimeEvents.MessageSend, new { incident_id = incident.Id, id = Guid.NewGuid(), body = "let me in" });
        var strangerStatus = await stranger.InvokeAsync(RealtimeEvents.StatusUpdate, new { incident_id = incident.Id, status = "closed" });

        (strangerJoin!["ok"]!.GetValue<bool>(), strangerJoin["code"]!.GetValue<string>()).Should().Be((false, RealtimeCodes.GroupNotFound));
        (offeredJoin!["ok"]!.GetValue<bool>(), offeredJoin["code"]!.GetValue<string>()).Should().Be((false, RealtimeCodes.GroupNotFound),
            "a provider joins the conversation only once they accept");
        (strangerSend!["code"]!.GetValue<string>(), strangerSend["status"]!.GetValue<int>()).Should().Be(("not_found", 404));
        strangerStatus!["code"]!.GetValue<string>().Should().Be("not_found");
        (await World.DetailAsync(survivor.Client, incident.Id)).Status.Should().Be(incident.Status, "the stranger's status.update changed nothing");
    }

    [Fact]
    public async Task An_app_that_reconnects_catches_up_from_its_cursor_without_gaps_or_repeats()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var incident = await _world.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        var group = $"kintaraa-case:{incident.Id}";
        var before = await ConnectAsync(_fixture.App, survivor.Client);
        await before.SubscribeAsync(null, group);
        await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new { id = Guid.NewGuid(), body = "first" });
        await before.WaitForAsync(RealtimeEvents.MessageReceived);
        var cursor = before.Cursor;
        await before.StopAsync();

        var missed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = Guid.NewGuid();
            missed.Add(id.ToString());
            await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new { id, body = $"while you were away {i}" });
        }

        var after = await ConnectAsync(_fixture.Second, survivor.Client);
        await after.SubscribeAsync(cursor, group);

        var caught = await after.WaitUntilAsync(all => missed.All(id => all.Any(m => m.Event == RealtimeEvents.MessageReceived && m.Payload["message_id"]!.GetValue<string>() == id)));
        caught.Where(m => m.Position is not null).Should().OnlyContain(m => m.Position > cursor);
        caught.Where(m => m.Event == RealtimeEvents.MessageReceived).Select(m => m.Payload["message_id"]!.GetValue<string>()).Should().Equal(missed,
            "the messages arrive once each, in order");
    }

    private static bool IsAbout(ReceivedMessage message, string type, Guid incidentId) =>
        message.Event == type && message.Payload["incident_id"]?.GetValue<string>() == incidentId.ToString();
}
