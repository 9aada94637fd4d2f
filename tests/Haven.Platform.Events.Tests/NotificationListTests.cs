using System.Text.Json.Nodes;
using Haven.Platform.Data;
using Haven.Platform.Events.Tests.Support;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests;

/// <summary>The in-app notification list: what a user sees, counts and marks read — and nobody else's.</summary>
public sealed class NotificationListTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_notification_appears_in_the_list_and_on_the_users_open_apps_with_the_unread_count()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var client = await fixture.Clients.ConnectAsync(App, user);
        await client.SubscribeAsync(null);

        var id = await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Your case was accepted", "A counsellor will contact you.", "/kintaraa/cases/7"));

        var pushed = await client.WaitForAsync(RealtimeEvents.NotificationPush);
        pushed.Payload["notification"]!["id"]!.GetValue<Guid>().Should().Be(id);
        pushed.Payload["notification"]!["title"]!.GetValue<string>().Should().Be("Your case was accepted");
        pushed.Payload["unread_count"]!.GetValue<int>().Should().Be(1);
        var list = await http.GetAsync("/api/notifications", TestContext.Current.CancellationToken);
        var page = await list.ShouldBeJsonAsync();
        page["unread_count"]!.GetValue<int>().Should().Be(1);
        page["total"]!.GetValue<int>().Should().Be(1);
        var item = page["items"]![0]!;
        item["id"]!.GetValue<Guid>().Should().Be(id);
        item["category"]!.GetValue<string>().Should().Be(EventsApp.UpdatesCategory);
        item["body"]!.GetValue<string>().Should().Be("A counsellor will contact you.");
        item["link"]!.GetValue<string>().Should().Be("/kintaraa/cases/7");
        item["read_at"].Should().BeNull();
    }

    [Fact]
    public async Task Title_and_body_are_stored_encrypted_and_read_back_in_the_app()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var id = await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Case KIN-7731 assigned: Amani Wekesa", "Safe house in Kibera"));

        // The stored bytes read as text, the way anyone with the database (or a dump of it) could read them.
        var stored = await App.ScalarAsync<byte[]>("SELECT title || body FROM platform.notifications WHERE id = $1", id);
        var item = (await (await http.GetAsync("/api/notifications", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["items"]![0]!;

        stored.Should().NotBeNull();
        var text = System.Text.Encoding.UTF8.GetString(stored!);
        foreach (var secret in new[] { "KIN-7731", "Amani", "Wekesa", "Kibera" })
        {
            text.Should().NotContain(secret);
        }

        item["title"]!.GetValue<string>().Should().Be("Case KIN-7731 assigned: Amani Wekesa");
        item["body"]!.GetValue<string>().Should().Be("Safe house in Kibera");
    }

    [Fact]
    public async Task Notifying_inside_a_module_transaction_that_rolls_back_leaves_nothing()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        await App.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<PlatformDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await services.GetRequiredService<INotifier>().NotifyAsync(db, new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Never"), TestContext.Current.CancellationToken);
            await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        });

        var count = await http.GetAsync("/api/notifications/unread-count", TestContext.Current.CancellationToken);

        (await count.ShouldBeJsonAsync())["unread_count"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Marking_read_counts_down_once_and_tells_the_users_other_devices()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        var otherDevice = await fixture.Clients.ConnectAsync(App, user);
        await otherDevice.SubscribeAsync(null);
        var first = await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "One"));
        await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, "Two"));

        var marked = await (await http.PostAsync($"/api/notifications/{first}/read", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var again = await (await http.PostAsync($"/api/notifications/{first}/read", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        marked["marked"]!.GetValue<int>().Should().Be(1);
        marked["unread_count"]!.GetValue<int>().Should().Be(1);
        again["marked"]!.GetValue<int>().Should().Be(0, "marking twice changes nothing");
        again["unread_count"]!.GetValue<int>().Should().Be(1);
        var read = await otherDevice.WaitForAsync(RealtimeEvents.NotificationRead);
        read.Payload["ids"]!.AsArray().Select(i => i!.GetValue<Guid>()).Should().Equal(first);
        read.Payload["unread_count"]!.GetValue<int>().Should().Be(1);
        var unreadOnly = await (await http.GetAsync("/api/notifications?unread_only=true", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        unreadOnly["items"]!.AsArray().Select(i => i!["title"]!.GetValue<string>()).Should().Equal("Two");
    }

    [Fact]
    public async Task Marking_all_read_clears_the_count()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, $"Update {i}"));
        }

        var marked = await (await http.PostAsync("/api/notifications/read-all", null, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        marked["marked"]!.GetValue<int>().Should().Be(3);
        marked["unread_count"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Another_users_notification_cannot_be_seen_or_marked_and_answers_404()
    {
        var (ownerHttp, owner) = await App.NewSignedInUserAsync();
        var (otherHttp, _) = await App.NewSignedInUserAsync();
        var id = await fixture.NotifyAsync(new NotificationRequest(owner.Id, EventsApp.UpdatesCategory, "Private"));

        var mark = await otherHttp.PostAsync($"/api/notifications/{id}/read", null, TestContext.Current.CancellationToken);
        var list = await (await otherHttp.GetAsync("/api/notifications", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        await mark.ShouldBeProblemAsync(404, "not_found");
        list["items"]!.AsArray().Should().BeEmpty();
        var ownerCount = await (await ownerHttp.GetAsync("/api/notifications/unread-count", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        ownerCount["unread_count"]!.GetValue<int>().Should().Be(1, "the other user's attempt changed nothing");
    }

    [Fact]
    public async Task The_list_pages_newest_first()
    {
        var (http, user) = await App.NewSignedInUserAsync();
        for (var i = 1; i <= 5; i++)
        {
            await fixture.NotifyAsync(new NotificationRequest(user.Id, EventsApp.UpdatesCategory, $"N{i}"));
        }

        var page = await (await http.GetAsync("/api/notifications?page=2&page_size=2", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        page["items"]!.AsArray().Select(i => i!["title"]!.GetValue<string>()).Should().Equal("N3", "N2");
        page["total"]!.GetValue<int>().Should().Be(5);
    }

    [Theory]
    [InlineData("page_size=101")]
    [InlineData("page_size=0")]
    [InlineData("page=0")]
    public async Task Out_of_range_paging_is_a_validation_error(string query)
    {
        var (http, _) = await App.NewSignedInUserAsync();
        var response = await http.GetAsync("/api/notifications?" + query, TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task Preferences_list_every_category_with_its_default_and_keep_changes()
    {
        var (http, _) = await App.NewSignedInUserAsync();

        var defaults = await (await http.GetAsync("/api/notifications/preferences", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var changed = await (await http.PutAsync("/api/notifications/preferences",
            JsonContent(new { items = new[] { new { category = EventsApp.UpdatesCategory, push_enabled = false } } }), TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var reread = await (await http.GetAsync("/api/notifications/preferences", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        Push(defaults).Should().BeEquivalentTo(new Dictionary<string, bool> { [EventsApp.DigestCategory] = false, [EventsApp.UpdatesCategory] = true });
        Push(changed).Should().BeEquivalentTo(new Dictionary<string, bool> { [EventsApp.DigestCategory] = false, [EventsApp.UpdatesCategory] = false });
        Push(reread).Should().BeEquivalentTo(Push(changed));
        defaults["items"]![0]!["title"]!.GetValue<string>().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_unknown_category_in_preferences_is_a_field_error_and_changes_nothing()
    {
        var (http, _) = await App.NewSignedInUserAsync();

        var response = await http.PutAsync("/api/notifications/preferences", JsonContent(new
        {
            items = new object[]
            {
                new { category = EventsApp.DigestCategory, push_enabled = true },
                new { category = "test.no_such_thing", push_enabled = false },
            },
        }), TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Equal("items[1].category");
        Push(await (await http.GetAsync("/api/notifications/preferences", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())[EventsApp.DigestCategory]
            .Should().BeFalse("the valid item in a refused request is not applied either");
    }

    [Theory]
    [InlineData("GET", "/api/notifications")]
    [InlineData("GET", "/api/notifications/unread-count")]
    [InlineData("POST", "/api/notifications/00000000-0000-0000-0000-000000000001/read")]
    [InlineData("POST", "/api/notifications/read-all")]
    [InlineData("GET", "/api/notifications/preferences")]
    [InlineData("PUT", "/api/notifications/preferences")]
    [InlineData("GET", "/api/devices")]
    [InlineData("POST", "/api/devices")]
    [InlineData("DELETE", "/api/devices/00000000-0000-0000-0000-000000000001")]
    public async Task Anonymous_callers_are_refused(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method is "POST" or "PUT" ? JsonContent(new { }) : null };

        var response = await App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(401, "unauthenticated");
    }

    // The host also lists the real modules' categories; this test owns only the two the events test module declares.
    private static Dictionary<string, bool> Push(JsonNode preferences) =>
        preferences["items"]!.AsArray()
            .Where(i => i!["category"]!.GetValue<string>() is EventsApp.DigestCategory or EventsApp.UpdatesCategory)
            .ToDictionary(i => i!["category"]!.GetValue<string>(), i => i!["push_enabled"]!.GetValue<bool>());

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
