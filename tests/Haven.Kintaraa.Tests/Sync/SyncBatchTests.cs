using System.Text.Json;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Evidence;
using Haven.Kintaraa.SelfService;
using Haven.Kintaraa.Sync;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Sync;

public sealed class SyncBatchTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    /// <summary>What the survivor did offline: a report, a message in it, a safety plan, and reading the case.</summary>
    private (object[] Operations, Guid ReportId, Guid MessageId) OfflineSession()
    {
        var reportId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        object[] operations =
        [
            new { id = reportId, type = "create_report", report = World.Report([SupportService.Counseling]) },
            new { id = messageId, type = "send_message", incident_id = reportId, body = "I am safe for now." },
            new { id = Guid.NewGuid(), type = "update_safety_plan", safety_plan = new SafetyPlanRequest(0, ["shouting"], ["my sister's"], null, null, null, "Leave by the back door", null) },
            new { id = Guid.NewGuid(), type = "mark_read", incident_id = reportId },
        ];
        return (operations, reportId, messageId);
    }

    [Fact]
    public async Task A_batch_sent_twice_applies_once_and_answers_the_same_both_times()
    {
        var survivor = await World.SurvivorAsync();
        var (operations, reportId, messageId) = OfflineSession();

        var first = await survivor.Client.BatchAsync(operations);
        var second = await survivor.Client.BatchAsync(operations);

        first.Results.Select(r => r.Status).Should().Equal("applied", "applied", "applied", "applied");
        first.Results.Should().AllSatisfy(r => r.Replayed.Should().BeFalse());
        first.Results[0].HttpStatus.Should().Be(201);
        second.Results.Should().AllSatisfy(r => r.Replayed.Should().BeTrue());
        second.Results.Select(r => r.Result!.Value.GetRawText()).Should().Equal(first.Results.Select(r => r.Result!.Value.GetRawText()));
        await AssertStoredOnceAsync(survivor, reportId, messageId);
        var detail = await World.DetailAsync(survivor.Client, reportId);
        detail.Source.Should().Be(CaseSource.Sync);
        (await (await survivor.Client.Get("/api/kintaraa/me/safety-plan")).ShouldBeOkAsync<SafetyPlanView>()).Version.Should().Be(1, "the plan was saved once");
    }

    [Fact]
    public async Task A_batch_cut_off_half_way_and_resent_applies_the_rest_and_nothing_twice()
    {
        var survivor = await World.SurvivorAsync();
        var (operations, reportId, messageId) = OfflineSession();
        // The connection dropped after the server applied the first two operations.
        var cut = await survivor.Client.BatchAsync(operations[..2]);

        var resent = await survivor.Client.BatchAsync(operations);

        cut.Applied.Should().Be(2);
        resent.Results.Select(r => (r.Status, r.Replayed)).Should().Equal(("applied", true), ("applied", true), ("applied", false), ("applied", false));
        resent.Results[0].Result!.Value.GetRawText().Should().Be(cut.Results[0].Result!.Value.GetRawText());
        await AssertStoredOnceAsync(survivor, reportId, messageId);
    }

    [Fact]
    public async Task A_batch_whose_connection_drops_while_the_server_works_on_it_is_resent_without_duplicates()
    {
        var survivor = await World.SurvivorAsync();
        var operations = Enumerable.Range(0, 200).Select(_ => (object)new { id = Guid.NewGuid(), type = "create_report", report = World.Report([]) }).ToArray();
        using (var dropped = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            var sending = survivor.Client.PostAsync("/api/kintaraa/sync/batch",
                System.Net.Http.Json.JsonContent.Create(new { operations }, options: HttpAssertions.Json), dropped.Token);
            // The phone loses its signal once the server has applied a few of the operations.
            while (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.incidents WHERE survivor_id = $1", survivor.User.Id) < 5)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            await dropped.CancelAsync();
            await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
        }

        var resent = await survivor.Client.BatchAsync(operations);

        resent.Results.Should().AllSatisfy(r => r.Status.Should().Be("applied"));
        resent.Results.Should().Contain(r => r.Replayed, "the operations applied before the cut answer as they did then")
            .And.Contain(r => !r.Replayed, "the rest are applied now");
        resent.Results.Select(r => r.Result!.Value.GetProperty("incident_id").GetGuid()).Should().Equal(resent.Results.Select(r => r.Id!.Value));
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.incidents WHERE survivor_id = $1", survivor.User.Id)).Should().Be(200);
    }

    [Fact]
    public async Task A_stale_safety_plan_loses_to_the_servers_copy_which_comes_back_with_the_conflict()
    {
        var survivor = await World.SurvivorAsync();
        await (await survivor.Client.Put("/api/kintaraa/me/safety-plan", new SafetyPlanRequest(0, ["from the tablet"], null, null, null, null, null, "red")))
            .ShouldBeOkAsync<SafetyPlanView>();
        var stale = Guid.NewGuid();

        var answer = await survivor.Client.BatchAsync(
            new { id = stale, type = "update_safety_plan", safety_plan = new SafetyPlanRequest(0, ["from the phone"], null, null, null, null, null, "green") });

        answer.Conflicts.Should().Equal(stale);
        var result = answer.Results.Single();
        (result.Status, result.HttpStatus).Should().Be(("conflict", 409));
        result.Problem!.Code.Should().Be("version_conflict");
        var current = ((JsonElement)result.Problem.Current!).Deserialize<SafetyPlanView>(HttpAssertions.Json)!;
        current.Should().BeEquivalentTo(new { CodeWord = "red", Version = 1, WarningSigns = new[] { "from the tablet" } });
        var rest = await (await survivor.Client.Put("/api/kintaraa/me/safety-plan", new SafetyPlanRequest(0, null, null, null, null, null, null, "green")))
            .ShouldBeProblemAsync(409, "version_conflict");
        rest["current"]!["code_word"]!.GetValue<string>().Should().Be("red");
    }

    [Fact]
    public async Task Operations_fail_one_by_one_without_undoing_the_others()
    {
        var survivor = await World.SurvivorAsync();
        var stranger = await World.SurvivorAsync();
        var theirs = await World.ReportAsync(stranger, World.Report([]));
        var reportId = Guid.NewGuid();

        var answer = await survivor.Client.BatchAsync(
            new { id = Guid.NewGuid(), type = "send_message", incident_id = theirs.Id, body = "let me in" },
            new { id = Guid.NewGuid(), type = "teleport" },
            new { id = Guid.NewGuid(), type = "create_report", report = new { description = "no type" } },
            new { id = reportId, type = "create_report", report = World.Report([]) });

        answer.Results.Select(r => (r.Status, r.HttpStatus)).Should().Equal(("rejected", 404), ("rejected", 400), ("rejected", 400), ("applied", 201));
        answer.Results[0].Problem!.Code.Should().Be("not_found", "someone else's case does not exist for the caller");
        answer.Rejected.Should().HaveCount(3);
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.messages WHERE incident_id = $1 AND sender_id = $2", theirs.Id, survivor.User.Id))
            .Should().Be(0);
    }

    [Fact]
    public async Task A_provider_cannot_report_through_the_batch_and_an_oversized_batch_is_refused_whole()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();

        var answer = await clinic.Client.BatchAsync(new { id = Guid.NewGuid(), type = "create_report", report = World.Report([]) });
        var tooMany = Enumerable.Range(0, SyncBatch.MaxOperations + 1).Select(_ => (object)new { id = Guid.NewGuid(), type = "mark_read", message_id = Guid.NewGuid() }).ToArray();
        var refused = await survivor.Client.Post("/api/kintaraa/sync/batch", new { operations = tooMany });

        (answer.Results.Single().Status, answer.Results.Single().Problem!.Code).Should().Be(("rejected", "survivor_only"));
        await refused.ShouldBeProblemAsync(400, "batch_too_large");
        await (await survivor.Client.Post("/api/kintaraa/sync/batch", new { operations = Array.Empty<object>() })).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task Evidence_recorded_offline_uploads_after_its_report_and_a_restarted_upload_stores_it_once()
    {
        var survivor = await World.SurvivorAsync();
        var reportId = Guid.NewGuid();
        await survivor.Client.BatchAsync(new { id = reportId, type = "create_report", report = World.Report([]) });
        var fileId = Guid.NewGuid();
        var photo = Samples.Jpeg(64 * 1024);

        var first = await survivor.Client.PostAsync($"/api/kintaraa/incidents/{reportId}/evidence?id={fileId}", Samples.Form(photo, "bruise.jpg"), TestContext.Current.CancellationToken);
        var restarted = await survivor.Client.PostAsync($"/api/kintaraa/incidents/{reportId}/evidence?id={fileId}", Samples.Form(photo, "bruise.jpg"), TestContext.Current.CancellationToken);

        (await first.ShouldBeOkAsync<EvidenceView>(201)).Id.Should().Be(fileId);
        (await restarted.ShouldBeOkAsync<EvidenceView>()).Id.Should().Be(fileId);
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.evidence WHERE incident_id = $1", reportId)).Should().Be(1);
    }

    private async Task AssertStoredOnceAsync(SurvivorHandle survivor, Guid reportId, Guid messageId)
    {
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.incidents WHERE survivor_id = $1", survivor.User.Id)).Should().Be(1);
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.messages WHERE incident_id = $1 AND id = $2", reportId, messageId)).Should().Be(1);
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.messages WHERE incident_id = $1 AND sender_id = $2", reportId, survivor.User.Id))
            .Should().Be(1, "the survivor wrote one message");
    }
}
