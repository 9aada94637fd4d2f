using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Testing;
using Haven.Testing.Realtime;

namespace Haven.Kintaraa.Tests.Live;

/// <summary>One app and one Node process of real SignalR clients for the class.</summary>
public sealed class LiveFixture : KintaraaFixture, IAsyncLifetime
{
    private RealtimeClients? _clients;

    public RealtimeClients Clients => _clients ?? throw new InvalidOperationException("not started");

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _clients = await RealtimeClients.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

public sealed class LiveCaseUpdatesTests : IClassFixture<LiveFixture>
{
    private static readonly string[] KintaraaEvents = ["referral.updated", "referral.unrouted", "sos.alert", "case.created"];
    private readonly LiveFixture _fixture;
    private readonly World _world;

    public LiveCaseUpdatesTests(LiveFixture fixture)
    {
        fixture.Clock.Set(KintaraaFixture.Baseline);
        _fixture = fixture;
        _world = new World(fixture.App);
    }

    private Task<RealtimeClient> ConnectAsync(HttpClient signedIn) =>
        _fixture.Clients.ConnectAsync(_fixture.App.BaseAddress, PlatformHub.Path, signedIn.DefaultRequestHeaders.Authorization!.Parameter!, KintaraaEvents);

    [Fact]
    public async Task A_providers_open_app_hears_of_a_new_referral_at_once_and_it_waits_in_their_notifications()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var live = await ConnectAsync(clinic.Client);
        await live.SubscribeAsync(null);

        var incident = await _world.ReportAsync(await _world.SurvivorAsync(), SupportService.Medical);

        var assignment = await live.WaitForAsync(RealtimeEvents.AssignmentNew);
        assignment.Payload["case_number"]!.GetValue<string>().Should().Be(incident.CaseNumber);
        assignment.Payload["service"]!.GetValue<string>().Should().Be("medical");
        assignment.Payload.ToJsonString().Should().NotContain("He hit me", "events never carry what the survivor wrote");
        var notifications = await (await clinic.Client.Get("/api/notifications")).ShouldBeJsonAsync();
        notifications["items"]!.AsArray().Select(n => n!["title"]!.GetValue<string>()).Should()
            .Contain($"New referral {incident.CaseNumber} (medical care, medium priority)");
    }

    [Fact]
    public async Task Everyone_with_the_case_open_hears_of_a_new_message_without_its_text_and_outsiders_cannot_listen_in()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var incident = await _world.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        var group = $"kintaraa-case:{incident.Id}";
        var survivorLive = await ConnectAsync(survivor.Client);
        var clinicLive = await ConnectAsync(clinic.Client);
        var stranger = await ConnectAsync((await _world.SurvivorAsync()).Client);
        (await survivorLive.SubscribeAsync(null, group))["joined"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(group);
        (await clinicLive.SubscribeAsync(null, group))["joined"]!.AsArray().Should().ContainSingle();
        (await stranger.SubscribeAsync(null, group))["refused"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(group);

        var sent = await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "Please come at 2pm."))).ShouldBeOkAsync<MessageView>(201);

        var heard = await survivorLive.WaitForAsync(m => m.Event == RealtimeEvents.MessageReceived && m.Payload["message_id"]?.GetValue<string>() == sent.Id.ToString());
        heard.Payload.ToJsonString().Should().NotContain("2pm");
        var notifications = await (await survivor.Client.Get("/api/notifications")).ShouldBeJsonAsync();
        notifications["items"]!.AsArray().Should().Contain(n => n!["title"]!.GetValue<string>() == $"New message in {incident.CaseNumber}");
        var clinicNotes = await (await clinic.Client.Get("/api/notifications")).ShouldBeJsonAsync();
        clinicNotes["items"]!.AsArray().Should().NotContain(n => n!["title"]!.GetValue<string>() == $"New message in {incident.CaseNumber}", "nobody is told of their own message");
        stranger.Received.Should().NotContain(m => m.Event == RealtimeEvents.MessageReceived && m.Payload["incident_id"]!.GetValue<string>() == incident.Id.ToString());
    }

    [Fact]
    public async Task Status_changes_reach_the_survivors_app_and_notifications()
    {
        var clinic = await _world.ProviderAsync(ProviderType.Healthcare);
        var survivor = await _world.SurvivorAsync();
        var live = await ConnectAsync(survivor.Client);
        await live.SubscribeAsync(null);
        var incident = await _world.ReportAsync(survivor, SupportService.Medical);

        await World.AcceptAsync(clinic, incident.Id);

        await live.WaitForAsync(m => m.Event == RealtimeEvents.StatusChanged && m.Payload["status"]!.GetValue<string>() == "in_progress");
        var notifications = await (await survivor.Client.Get("/api/notifications")).ShouldBeJsonAsync();
        notifications["items"]!.AsArray().Select(n => n!["title"]!.GetValue<string>()).Should().Contain($"{incident.CaseNumber} is now in progress");
    }

    [Fact]
    public async Task Coordinators_hear_when_a_referral_has_nowhere_to_go()
    {
        var admin = await _world.AdminAsync();
        var live = await ConnectAsync(admin);
        (await live.SubscribeAsync(null, "kintaraa-admins:all"))["joined"]!.AsArray().Should().ContainSingle();
        var survivorLive = await ConnectAsync((await _world.SurvivorAsync()).Client);
        (await survivorLive.SubscribeAsync(null, "kintaraa-admins:all"))["refused"]!.AsArray().Should().ContainSingle();

        var incident = await _world.ReportAsync(await _world.SurvivorAsync(), SupportService.Financial);

        var alert = await live.WaitForAsync(m => m.Event == "referral.unrouted" && m.Payload["case_number"]!.GetValue<string>() == incident.CaseNumber);
        alert.Payload["service"]!.GetValue<string>().Should().Be("financial");
    }

    [Fact]
    public async Task An_SOS_alert_is_an_urgent_notification_for_the_responders()
    {
        var rescue = await _world.ProviderAsync(ProviderType.GbvRescue);
        var live = await ConnectAsync(rescue.Client);
        await live.SubscribeAsync(null);
        var (lat, lon) = _world.Area.At();

        var sos = await (await (await _world.SurvivorAsync()).Client.Post("/api/kintaraa/sos", new SosRequest(null, lat, lon, null, null))).ShouldBeOkAsync<IncidentDetail>(201);

        (await live.WaitForAsync("sos.alert")).Payload["case_number"]!.GetValue<string>().Should().Be(sos.CaseNumber);
        var notifications = await (await rescue.Client.Get("/api/notifications")).ShouldBeJsonAsync();
        notifications["items"]!.AsArray().Select(n => n!["title"]!.GetValue<string>()).Should().Contain($"SOS {sos.CaseNumber}: emergency, answer now");
    }
}
