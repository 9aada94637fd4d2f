using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Dashboard;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Chat;

public sealed class CaseConversationTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private async Task<(SurvivorHandle Survivor, ProviderHandle Clinic, ProviderHandle Police, IncidentDetail Incident)> CaseWithTwoProvidersAsync(bool anonymous = false)
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var police = await World.ProviderAsync(ProviderType.Police);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Medical, SupportService.Police], anonymous: anonymous));
        await World.AcceptAsync(clinic, incident.Id);
        await World.AcceptAsync(police, incident.Id);
        return (survivor, clinic, police, incident);
    }

    [Fact]
    public async Task The_survivor_and_every_provider_on_the_case_share_one_conversation()
    {
        var (survivor, clinic, police, incident) = await CaseWithTwoProvidersAsync(anonymous: true);

        var sent = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "Can someone call me after 6pm?")))
            .ShouldBeOkAsync<MessageView>(201);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "Yes, at 6:30."))).ShouldBeOkAsync<MessageView>(201);

        sent.Sender.Should().Be(new Sender(ParticipantRole.Survivor, incident.Handle, true));
        var asPolice = await (await police.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();
        var texts = asPolice.Items.Where(m => m.Kind == MessageKind.Text).ToList();
        texts.Select(m => m.Body).Should().Equal("Can someone call me after 6pm?", "Yes, at 6:30.");
        texts[0].Sender.Name.Should().Be(incident.Handle, "an anonymous survivor appears by handle");
        texts[1].Sender.Role.Should().Be(ParticipantRole.Provider);
        texts[1].Sender.Name.Should().EndWith($"({clinic.Organisation})");
    }

    [Fact]
    public async Task Unread_counts_and_read_receipts_follow_what_each_participant_has_read()
    {
        var (survivor, clinic, _, incident) = await CaseWithTwoProvidersAsync();
        var first = await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "How are you feeling today?")))
            .ShouldBeOkAsync<MessageView>(201);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "Your results are ready."))).ShouldBeOkAsync<MessageView>(201);

        var before = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();
        var unreadBefore = before.UnreadCount;
        unreadBefore.Should().BeGreaterThanOrEqualTo(2);
        (await World.DetailAsync(survivor.Client, incident.Id)).UnreadCount.Should().Be(unreadBefore);
        var listed = await (await survivor.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        listed.Items.Single().UnreadCount.Should().Be(unreadBefore);

        var state = await (await survivor.Client.Put($"/api/kintaraa/messages/{first.Id}/read", new { })).ShouldBeOkAsync<ReadState>();
        state.UnreadCount.Should().Be(1, "only the message after the one read is left");

        var seenByClinic = await (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();
        var receipts = seenByClinic.Items.Single(m => m.Id == first.Id).ReadBy;
        receipts.Should().ContainSingle(r => r.Role == ParticipantRole.Survivor).Which.ReadAt.Should().Be(KintaraaFixture.Baseline);
        seenByClinic.Items.Single(m => m.Body == "Your results are ready.").ReadBy.Should().NotContain(r => r.Role == ParticipantRole.Survivor);

        var all = await (await survivor.Client.Put($"/api/kintaraa/incidents/{incident.Id}/messages/read", new { })).ShouldBeOkAsync<ReadState>();
        all.UnreadCount.Should().Be(0);
        var backwards = await (await survivor.Client.Put($"/api/kintaraa/messages/{first.Id}/read", new { })).ShouldBeOkAsync<ReadState>();
        backwards.LastReadSeq.Should().Be(all.LastReadSeq, "marking an older message read never un-reads newer ones");
    }

    [Fact]
    public async Task A_resent_message_is_stored_once()
    {
        var (survivor, _, _, incident) = await CaseWithTwoProvidersAsync();
        var message = new PostMessageRequest(Guid.NewGuid(), "Sent from a bad connection");

        var first = await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", message);
        var again = await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", message);

        (await first.ShouldBeOkAsync<MessageView>(201)).Id.Should().Be(message.Id!.Value);
        (await again.ShouldBeOkAsync<MessageView>(200)).Id.Should().Be(message.Id!.Value);
        var chat = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();
        chat.Items.Count(m => m.Body == "Sent from a bad connection").Should().Be(1);
    }

    [Fact]
    public async Task The_conversation_pages_backwards_and_forwards_by_sequence()
    {
        var (survivor, _, _, incident) = await CaseWithTwoProvidersAsync();
        for (var i = 1; i <= 12; i++)
        {
            await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, $"note {i}"))).ShouldBeOkAsync<MessageView>(201);
        }

        var latest = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages?limit=5")).ShouldBeOkAsync<Conversation>();
        latest.Items.Select(m => m.Body).Should().Equal("note 8", "note 9", "note 10", "note 11", "note 12");
        latest.HasMore.Should().BeTrue();
        var older = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages?limit=5&before={latest.Items[0].Seq}")).ShouldBeOkAsync<Conversation>();
        older.Items.Select(m => m.Body).Should().Equal("note 3", "note 4", "note 5", "note 6", "note 7");
        var newer = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages?after={older.Items[^1].Seq}&limit=3")).ShouldBeOkAsync<Conversation>();
        newer.Items.Select(m => m.Body).Should().Equal("note 8", "note 9", "note 10");
        await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages?limit=500")).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task A_providers_first_message_counts_as_the_first_response_to_the_case()
    {
        var (_, clinic, _, incident) = await CaseWithTwoProvidersAsync();
        Clock.Advance(TimeSpan.FromMinutes(7));

        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "I am Dr. Achieng."))).ShouldBeOkAsync<MessageView>(201);

        var stats = await (await clinic.Client.Get($"/api/kintaraa/dashboard/stats?from={Uri.EscapeDataString(KintaraaFixture.Baseline.AddHours(-1).ToString("O"))}"))
            .ShouldBeOkAsync<DashboardStats>();
        stats.Scope.Should().Be("provider");
        stats.TimeToFirstResponse.Should().ContainSingle().Which.Should().Be(new TypeTiming(ProviderType.Healthcare, 7, 7, 7, 1));
        stats.TimeToAssignment.Should().ContainSingle().Which.Should().Be(new TypeTiming(ProviderType.Healthcare, 0, 0, 0, 1));
    }
}
