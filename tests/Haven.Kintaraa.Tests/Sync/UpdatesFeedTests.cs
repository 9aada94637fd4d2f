using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.SelfService;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Events;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Kintaraa.Tests.Sync;

public sealed class UpdatesFeedTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task Each_caller_pulls_what_they_may_see_and_nothing_of_anyone_elses_case()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var stranger = await World.SurvivorAsync();
        var start = (await survivor.Client.PageAsync(null)).Cursor;
        var clinicStart = (await clinic.Client.PageAsync(null)).Cursor;
        var strangerStart = (await stranger.Client.PageAsync(null)).Cursor;

        var incident = await World.ReportAsync(survivor, SupportService.Medical);

        var (mine, _) = await survivor.Client.PullUntilAsync(start, p => p.Any(x => x.Incidents.Any(i => i.Id == incident.Id)));
        var seen = mine.SelectMany(p => p.Incidents).Last(i => i.Id == incident.Id);
        seen.Description.Should().Be("He hit me again last night.");
        seen.Referrals.Should().ContainSingle(r => r.Service == SupportService.Medical);
        var (offered, _) = await clinic.Client.PullUntilAsync(clinicStart,
            p => p.Any(x => x.Incidents.Any(i => i.Id == incident.Id)) && p.Any(x => x.Notifications.Count > 0));
        offered.SelectMany(p => p.Incidents).Last(i => i.Id == incident.Id).Referrals.Should().ContainSingle(r => r.Status == ReferralStatus.Pending);
        offered.SelectMany(p => p.Notifications).Should().Contain(n => n.Title.StartsWith($"New referral {incident.CaseNumber}", StringComparison.Ordinal));
        offered.SelectMany(p => p.Messages).Should().BeEmpty("a provider reads the conversation only once they accept");

        var (strangers, _) = await stranger.Client.DrainAsync(strangerStart);
        strangers.SelectMany(p => p.Incidents).Should().BeEmpty();
        strangers.SelectMany(p => p.RemovedIncidents).Should().BeEmpty("a stranger must not even learn the case's id");
    }

    [Fact]
    public async Task Messages_the_safety_plan_and_a_referral_that_ended_arrive_in_the_next_pull()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        var cursor = (await clinic.Client.DrainAsync(null)).Cursor;
        var survivorCursor = (await survivor.Client.DrainAsync(null)).Cursor;

        var message = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(Guid.NewGuid(), "Can we meet on Friday?")))
            .ShouldBeOkAsync<MessageView>(201);
        await (await survivor.Client.Put("/api/kintaraa/me/safety-plan", new SafetyPlanRequest(0, ["raised voice"], null, null, null, null, null, "blue")))
            .ShouldBeOkAsync<SafetyPlanView>();

        await (await clinic.Client.Put($"/api/kintaraa/incidents/{incident.Id}/messages/read", new { })).ShouldBeJsonAsync();

        var (pages, next) = await clinic.Client.PullUntilAsync(cursor, p => p.Any(x => x.Messages.Any(m => m.Id == message.Id)));
        pages.SelectMany(p => p.Messages).Single(m => m.Id == message.Id).Body.Should().Be("Can we meet on Friday?");
        var (seen, _) = await survivor.Client.PullUntilAsync(survivorCursor, p => p.Any(x => x.ReadReceipts.Any(r => r.ReaderRole == "provider")));
        seen.SelectMany(p => p.ReadReceipts).Last(r => r.ReaderRole == "provider").LastReadSeq.Should().Be(message.Seq, "the survivor's phone shows the message was read");
        pages.Select(p => p.SafetyPlan).Should().AllSatisfy(plan => plan.Should().BeNull("a survivor's safety plan is theirs alone"));
        var (own, _) = await survivor.Client.PullUntilAsync(survivorCursor, p => p.Any(x => x.SafetyPlan is not null));
        own.Last(p => p.SafetyPlan is not null).SafetyPlan!.Should().BeEquivalentTo(new { CodeWord = "blue", Version = 1 });

        var referral = await World.OfferAsync(clinic, incident.Id);
        await (await survivor.Client.Post($"/api/kintaraa/referrals/{referral.Id}/revoke", new { reason = "found help elsewhere" })).ShouldBeJsonAsync();
        var (after, _) = await clinic.Client.PullUntilAsync(next, p => p.Any(x => x.RemovedIncidents.Contains(incident.Id)));
        after.SelectMany(p => p.Incidents).Should().NotContain(i => i.Id == incident.Id, "the case is gone from the provider's phone once their referral ended");
    }

    [Fact]
    public async Task Pages_follow_commit_order_and_a_drained_cursor_returns_nothing_new()
    {
        var survivor = await World.SurvivorAsync();
        var start = (await survivor.Client.DrainAsync(null)).Cursor;
        var reports = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            reports.Add((await World.ReportAsync(survivor, World.Report([]))).Id);
        }

        var (pages, cursor) = await survivor.Client.PullUntilAsync(start, p => reports.All(id => p.Any(x => x.Incidents.Any(i => i.Id == id))), limit: 2);

        pages.Count.Should().BeGreaterThan(2, "five reports make more events than two pages of two");
        pages.SkipLast(1).Should().AllSatisfy(p => p.Incidents.Count.Should().BeLessThanOrEqualTo(2));
        pages.Select(p => Position(p.Cursor)).Should().BeInAscendingOrder();
        var firstSeen = reports.Select(id => pages.ToList().FindIndex(p => p.Incidents.Any(i => i.Id == id))).ToList();
        firstSeen.Should().BeInAscendingOrder("reports made one after another are pulled in that order");
        var again = await survivor.Client.PageAsync(cursor);
        again.Incidents.Should().BeEmpty();
        again.HasMore.Should().BeFalse();
        again.Cursor.Should().Be(cursor);
    }

    [Fact]
    public async Task A_change_whose_transaction_commits_after_a_later_one_is_not_skipped()
    {
        var survivor = await World.SurvivorAsync();
        var early = await World.ReportAsync(survivor, World.Report([]));
        var late = await World.ReportAsync(survivor, World.Report([]));
        var cursor = (await survivor.Client.DrainAsync(null)).Cursor;
        var outbox = App.Services.GetRequiredService<IOutbox>();

        // Transaction 1 starts first and changes the early case, but is slow to commit.
        await using var connection = new NpgsqlConnection(App.DatabaseConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var slow = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var update = new NpgsqlCommand("UPDATE kintaraa.incidents SET priority = 'high', version = version + 1 WHERE id = $1", connection, slow))
        {
            update.Parameters.Add(new() { Value = early.Id });
            await update.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await outbox.EnqueueAsync(connection, slow,
            [EventEnvelope.Create("case.updated", [EventAudience.User(survivor.User.Id), EventAudience.Group("kintaraa-case", early.Id)], new { incident_id = early.Id })],
            TestContext.Current.CancellationToken);

        // Transaction 2 starts later, commits first; the app pulls and sees it.
        await (await survivor.Client.Post($"/api/kintaraa/incidents/{late.Id}/messages", new PostMessageRequest(Guid.NewGuid(), "still here"))).ShouldBeOkAsync<MessageView>(201);
        var (first, afterFirst) = await survivor.Client.PullUntilAsync(cursor, p => p.Any(x => x.Incidents.Any(i => i.Id == late.Id)));
        first.SelectMany(p => p.Incidents).Should().NotContain(i => i.Id == early.Id, "transaction 1 has not committed");

        await slow.CommitAsync(TestContext.Current.CancellationToken);

        var (second, _) = await survivor.Client.PullUntilAsync(afterFirst, p => p.Any(x => x.Incidents.Any(i => i.Id == early.Id)));
        second.SelectMany(p => p.Incidents).Single(i => i.Id == early.Id).Priority.Should().Be(Priority.High);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("k1.MTIz!")]
    [InlineData("k1.LTE")]
    [InlineData("k1.OTk5OTk5OTk5OTk")]
    public async Task A_cursor_the_server_did_not_issue_is_refused(string cursor)
    {
        var survivor = await World.SurvivorAsync();

        var response = await survivor.Client.Get($"/api/kintaraa/incidents/updates?since={Uri.EscapeDataString(cursor)}");

        await response.ShouldBeProblemAsync(400, "invalid_cursor");
    }

    [Fact]
    public async Task A_page_size_outside_the_limits_is_refused()
    {
        var survivor = await World.SurvivorAsync();

        await (await survivor.Client.Get("/api/kintaraa/incidents/updates?limit=501")).ShouldBeProblemAsync(400, "validation_failed");
    }

    private static long Position(string cursor)
    {
        Haven.Kintaraa.Sync.SyncCursor.TryDecode(cursor, out var position).Should().BeTrue();
        return position;
    }
}
