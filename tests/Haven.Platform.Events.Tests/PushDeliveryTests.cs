using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Notifications;
using Haven.Testing;
using Npgsql;

namespace Haven.Platform.Events.Tests;

/// <summary>Device registration and push through FCM HTTP v1, against a local recorder of what FCM would receive.</summary>
public sealed class PushDeliveryTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    private HavenTestApp App => fixture.App;

    private FakeFcm Fcm => fixture.Fcm;

    [Fact]
    public async Task A_push_carries_only_the_neutral_prompt_never_what_the_notification_says()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(http, "android");

        var id = await fixture.NotifyAsync(new NotificationRequest(
            user.Id, EventsApp.UpdatesCategory, "Case KIN-241121-7 assigned: assault in Kibera", "Survivor Jane W., 0712 345 678", "/kintaraa/cases/kin-241121-7")
        {
            Push = PushPrompt.Urgent,
        });

        var send = await WaitForSendAsync(token);
        var message = send.Body["message"]!;
        message["notification"]!["title"]!.GetValue<string>().Should().Be("New activity");
        message["notification"]!["body"]!.GetValue<string>().Should().Be("Open the app to see it.");
        message["data"]!.AsObject().Select(p => p.Key).Should().Equal("notification_id");
        message["data"]!["notification_id"]!.GetValue<string>().Should().Be(id.ToString());
        message["android"]!["priority"]!.GetValue<string>().Should().Be("HIGH");
        var everything = send.Body.ToJsonString();
        foreach (var detail in new[] { "KIN-241121", "Kibera", "Jane", "0712", "/kintaraa", "assault", EventsApp.UpdatesCategory })
        {
            everything.Should().NotContain(detail);
        }
    }

    [Fact]
    public async Task Sending_authenticates_with_a_service_account_JWT_and_reuses_the_access_token()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(http, "ios");

        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "First"));
        await WaitForSendAsync(token, 1);
        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Second"));
        var sends = await WaitForSendAsync(token, 2);

        sends.Project.Should().Be(FakeFcm.ProjectId);
        sends.Authorization.Should().StartWith("Bearer fake-access-token-");
        Fcm.SendsTo(token).Select(s => s.Authorization).Distinct().Should().ContainSingle("the access token is cached until it nears expiry");
        var claims = Fcm.Assertions.Should().NotBeEmpty().And.Subject.Last();
        claims["iss"]!.GetValue<string>().Should().Be(FakeFcm.ClientEmail);
        claims["scope"]!.GetValue<string>().Should().Be("https://www.googleapis.com/auth/firebase.messaging");
        claims["aud"]!.GetValue<string>().Should().EndWith("/token");
        (claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>()).Should().Be(3600);
    }

    [Fact]
    public async Task Every_device_of_the_user_gets_the_prompt()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var phone = await RegisterAsync(http, "android");
        var tablet = await RegisterAsync(http, "ios");

        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Hello"));

        await WaitForSendAsync(phone);
        await WaitForSendAsync(tablet);
    }

    [Fact]
    public async Task No_push_when_the_user_turned_it_off_for_the_category_but_the_list_still_has_it()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(http, "android");
        var off = await http.PutAsJsonAsync("/api/notifications/preferences",
            new { items = new[] { new { category = EventsApp.UpdatesCategory, push_enabled = false } } }, TestContext.Current.CancellationToken);
        await off.ShouldBeJsonAsync();

        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Quiet"));
        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.DigestCategory, "Off by default"));
        await fixture.NotifyAsync(new NotificationRequest(user.Id, "test.updates", "In-app only") { Push = PushPrompt.None });

        (await PushJobsAsync(user.Id)).Should().Be(0, "no push was even queued");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Fcm.SendsTo(token).Should().BeEmpty();
        var list = await (await http.GetAsync("/api/notifications", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        list["total"]!.GetValue<int>().Should().Be(3);
    }

    [Fact]
    public async Task A_device_FCM_reports_unregistered_is_forgotten()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(http, "android");
        Fcm.Script(token, FakeFcm.Unregistered());

        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "To a dead token"));

        await WaitForSendAsync(token);
        await WaitUntilAsync(async () => (await DevicesAsync(http)).Count == 0);
        (await PushJobsAsync(user.Id)).Should().Be(0, "the job finished rather than retrying or dying");
    }

    [Fact]
    public async Task A_push_FCM_cannot_take_right_now_is_retried_when_it_says()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(http, "android");
        Fcm.Script(token, FakeFcm.Unavailable(retryAfterSeconds: 1));

        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Eventually"));

        await WaitForSendAsync(token, 2);
        await WaitUntilAsync(async () => await PushJobsAsync(user.Id) == 0);
        (await DevicesAsync(http)).Should().HaveCount(1, "a transient failure keeps the device");
    }

    [Fact]
    public async Task A_notification_read_before_its_push_went_out_is_not_pushed()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(http, "android");
        Fcm.Script(token, FakeFcm.Unavailable(retryAfterSeconds: 2));
        var id = await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Seen in the app"));
        await WaitForSendAsync(token, 1);

        await http.PostAsync($"/api/notifications/{id}/read", null, TestContext.Current.CancellationToken);
        await WaitUntilAsync(async () => await PushJobsAsync(user.Id) == 0);

        Fcm.SendsTo(token).Should().HaveCount(1, "the retry found the notification read and stopped");
    }

    [Fact]
    public async Task Registering_the_same_token_again_is_idempotent_and_the_token_is_never_echoed()
    {
        var (http, _) = await App.NewSignedInUserAsync();
        var token = "fcm-" + Guid.NewGuid().ToString("N");

        var first = await http.PostAsJsonAsync("/api/devices", new { token, platform = "android" }, TestContext.Current.CancellationToken);
        var second = await http.PostAsJsonAsync("/api/devices", new { token, platform = "android" }, TestContext.Current.CancellationToken);

        var created = await first.ShouldBeJsonAsync(201);
        var repeated = await second.ShouldBeJsonAsync(200);
        repeated["id"]!.GetValue<Guid>().Should().Be(created["id"]!.GetValue<Guid>());
        first.Headers.Location!.ToString().Should().Be($"/api/devices/{created["id"]}");
        var devices = await DevicesAsync(http);
        devices.Should().ContainSingle();
        devices[0]!.ToJsonString().Should().NotContain(token);
        created.ToJsonString().Should().NotContain(token);
    }

    [Fact]
    public async Task A_token_registered_by_another_account_moves_to_whoever_signed_in_last_and_takes_no_old_pushes_with_it()
    {
        var (beforeHttp, before) = await App.NewSignedInUserAsync();
        var (afterHttp, after) = await App.NewSignedInUserAsync();
        var token = await RegisterAsync(beforeHttp, "android");
        Fcm.Script(token, FakeFcm.Unavailable(retryAfterSeconds: 1));
        await fixture.NotifyAsync(new NotificationRequest(before.Id, EventsApp.UpdatesCategory, "For the previous owner"));
        await WaitForSendAsync(token, 1);

        // The phone changes hands while the previous owner's push waits for its retry.
        var moved = await afterHttp.PostAsJsonAsync("/api/devices", new { token, platform = "android" }, TestContext.Current.CancellationToken);
        await moved.ShouldBeJsonAsync(200);
        await WaitUntilAsync(async () => await PushJobsAsync(before.Id) == 0);
        var forNewOwner = await fixture.NotifyAsync(new NotificationRequest(after.Id, EventsApp.UpdatesCategory, "For the new owner"));
        await WaitForSendAsync(token, 2);

        (await DevicesAsync(beforeHttp)).Should().BeEmpty();
        (await DevicesAsync(afterHttp)).Should().ContainSingle();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Fcm.SendsTo(token).Skip(1).Select(s => s.Body["message"]!["data"]!["notification_id"]!.GetValue<string>())
            .Should().Equal([forNewOwner.ToString()], "the previous owner's retried push never reaches the phone now");
    }

    [Fact]
    public async Task Another_users_device_cannot_be_removed_and_answers_404()
    {
        var (owner, _) = await App.NewSignedInUserAsync();
        var (other, _) = await App.NewSignedInUserAsync();
        await RegisterAsync(owner, "web");
        var id = (await DevicesAsync(owner))[0]!["id"]!.GetValue<Guid>();

        var attempt = await other.DeleteAsync($"/api/devices/{id}", TestContext.Current.CancellationToken);
        await attempt.ShouldBeProblemAsync(404, "not_found");
        (await DevicesAsync(owner)).Should().ContainSingle();

        var removed = await owner.DeleteAsync($"/api/devices/{id}", TestContext.Current.CancellationToken);
        ((int)removed.StatusCode).Should().Be(204);
        (await DevicesAsync(owner)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("short", "android", "token")]
    [InlineData("fcm-token-long-enough-0001", "blackberry", "platform")]
    public async Task Invalid_registrations_are_field_errors(string token, string platform, string field)
    {
        var (http, _) = await App.NewSignedInUserAsync();
        var response = await http.PostAsJsonAsync("/api/devices", new { token, platform }, TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().Select(e => e.Key.ToLowerInvariant()).Should().Equal(field);
    }

    private static async Task<string> RegisterAsync(HttpClient user, string platform)
    {
        var token = "fcm-" + Guid.NewGuid().ToString("N");
        var response = await user.PostAsJsonAsync("/api/devices", new { token, platform }, TestContext.Current.CancellationToken);
        await response.ShouldBeJsonAsync(201);
        return token;
    }

    private static async Task<JsonArray> DevicesAsync(HttpClient user) =>
        (await (await user.GetAsync("/api/devices", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["items"]!.AsArray();

    /// <summary>Push jobs still queued (pending, running or dead) for the user's notifications.</summary>
    private async Task<long> PushJobsAsync(Guid user)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM platform.jobs j JOIN platform.notifications n ON n.id = (j.payload->>'notification_id')::uuid
            WHERE j.kind = 'platform.push' AND n.user_id = $1
            """, connection);
        command.Parameters.Add(new() { Value = user });
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task<RecordedSend> WaitForSendAsync(string token, int count = 1)
    {
        await WaitUntilAsync(() => Task.FromResult(Fcm.SendsTo(token).Count >= count));
        return Fcm.SendsTo(token)[count - 1];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The push did not reach the expected state in time.");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
