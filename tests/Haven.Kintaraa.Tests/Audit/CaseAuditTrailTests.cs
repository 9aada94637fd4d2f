using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Routing;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Audit;
using Haven.Testing;
using Npgsql;

namespace Haven.Kintaraa.Tests.Audit;

public sealed class CaseAuditTrailTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private async Task<List<AuditEntryResponse>> EntriesAsync(HttpClient admin, string action, Guid resource) =>
        [.. (await (await admin.Get($"/api/platform/audit/entries?action={action}&resource_id={resource}&page_size=100")).ShouldBeOkAsync<AuditPage>()).Items];

    [Fact]
    public async Task Every_admin_look_at_a_case_is_in_the_audit_trail_and_the_survivors_own_looks_are_not()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor);
        var admin = await World.AdminAsync();

        await World.DetailAsync(survivor.Client, incident.Id);
        await World.DetailAsync(admin, incident.Id);
        await (await admin.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();

        var looks = await EntriesAsync(admin, "kintaraa.case.viewed_by_admin", incident.Id);
        looks.Should().HaveCount(2);
        looks.Should().OnlyContain(e => e.Actor.Roles.Contains("kintaraa.admin") && e.Note!.Contains(incident.CaseNumber));
    }

    [Fact]
    public async Task Each_state_change_is_audited_with_who_and_from_what_to_what()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        var accepted = await World.AcceptAsync(clinic, incident.Id);
        await (await clinic.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/complete", new CompleteReferralRequest(null))).ShouldBeOkAsync<ReferralView>();
        var admin = await World.AdminAsync();

        var changes = await EntriesAsync(admin, "kintaraa.case.status_changed", incident.Id);
        changes.OrderBy(e => e.Seq).Select(e => e.Note).Should().SatisfyRespectively(
            n => n.Should().Contain("\"from\":\"new\"").And.Contain("\"to\":\"assigned\""),
            n => n.Should().Contain("\"from\":\"assigned\"").And.Contain("\"to\":\"in_progress\""),
            n => n.Should().Contain("\"from\":\"in_progress\"").And.Contain("\"to\":\"completed\""));
        (await EntriesAsync(admin, "kintaraa.referral.accepted", accepted.Id)).Should().ContainSingle()
            .Which.Actor.UserId.Should().Be(clinic.User.Id);
        (await EntriesAsync(admin, "kintaraa.case.created", incident.Id)).Should().ContainSingle().Which.Actor.UserId.Should().Be(survivor.User.Id);
    }

    [Fact]
    public async Task A_refused_change_leaves_no_audit_entry()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor);

        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Completed, null)))
            .ShouldBeProblemAsync(409, "illegal_transition");

        (await EntriesAsync(await World.AdminAsync(), "kintaraa.case.status_changed", incident.Id)).Should().BeEmpty();
    }

    [Fact]
    public async Task What_survivors_write_is_never_stored_in_plain_text()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var (lat, lon) = World.Area.At();
        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Medical], description: "Unmistakable-phrase-4711 in my description") with
        {
            Location = new LocationInput(lat, lon, "Unmistakable-street-4711", null),
        });
        await World.AcceptAsync(clinic, incident.Id);
        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "Unmistakable-message-4711"))).ShouldBeOkAsync<MessageView>(201);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var (table, column) in new[] { ("incidents", "description"), ("incidents", "location"), ("messages", "body") })
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM kintaraa.{table} WHERE position(convert_to('Unmistakable', 'UTF8') IN {column}) > 0", connection);
            ((long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).Should().Be(0, $"{table}.{column} is encrypted");
        }

        (await World.DetailAsync(clinic.Client, incident.Id)).Location!.Address.Should().Be("Unmistakable-street-4711");
    }
}
