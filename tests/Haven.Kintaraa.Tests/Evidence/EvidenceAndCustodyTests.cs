using System.Net;
using System.Net.Http.Headers;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Evidence;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Audit;
using Haven.Testing;
using Npgsql;

namespace Haven.Kintaraa.Tests.Evidence;

public sealed class EvidenceAndCustodyTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private async Task<(SurvivorHandle Survivor, ProviderHandle Police, ProviderHandle Counselor, IncidentDetail Incident)> CaseAsync()
    {
        var police = await World.ProviderAsync(ProviderType.Police);
        var counselor = await World.ProviderAsync(ProviderType.Counseling);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Police, SupportService.Counseling);
        await World.AcceptAsync(police, incident.Id);
        await World.AcceptAsync(counselor, incident.Id);
        return (survivor, police, counselor, incident);
    }

    private static async Task<EvidenceView> UploadAsync(HttpClient client, Guid incidentId, byte[] content, string name, string query = "")
    {
        var response = await client.PostAsync($"/api/kintaraa/incidents/{incidentId}/evidence{query}", Samples.Form(content, name), TestContext.Current.CancellationToken);
        return await response.ShouldBeOkAsync<EvidenceView>(201);
    }

    [Fact]
    public async Task A_survivors_photo_reaches_the_police_intact_and_every_access_is_in_its_chain_of_custody()
    {
        var (survivor, police, _, incident) = await CaseAsync();
        var photo = Samples.Jpeg(20_000);

        var uploaded = await UploadAsync(survivor.Client, incident.Id, photo, "bruises.jpg", "?description=" + Uri.EscapeDataString("Taken the morning after"));
        var download = await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}");

        uploaded.Kind.Should().Be(EvidenceKind.Photo);
        uploaded.Sha256.Should().Be(Samples.Sha256(photo));
        uploaded.SizeBytes.Should().Be(photo.Length);
        uploaded.Description.Should().Be("Taken the morning after");
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(photo);
        download.Headers.CacheControl!.NoStore.Should().BeTrue();

        var custody = await (await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}/custody")).ShouldBeOkAsync<CustodyLog>();
        custody.Intact.Should().BeTrue();
        custody.Entries.Select(e => e.Action).Should().Equal(CustodyAction.Uploaded, CustodyAction.Downloaded);
        custody.Entries.Should().OnlyContain(e => e.Sha256 == uploaded.Sha256);
        custody.Entries[0].Actor.Should().Be("survivor Test kintaraa.survivor", "a named reporter is named in custody records");
        custody.Entries[1].Actor.Should().Contain(police.Organisation).And.Contain("police");
        custody.Entries[1].PreviousHash.Should().Be(custody.Entries[0].EntryHash);

        var audit = await (await (await World.AdminAsync()).Get($"/api/platform/audit/entries?action=kintaraa.evidence.downloaded&resource_id={uploaded.Id}")).ShouldBeOkAsync<AuditPage>();
        audit.Items.Should().ContainSingle().Which.Actor.UserId.Should().Be(police.User.Id);
    }

    [Fact]
    public async Task Video_evidence_can_be_seeked_with_range_requests_and_each_range_is_logged()
    {
        var (survivor, police, _, incident) = await CaseAsync();
        var video = Samples.Mp4(200_000);
        var uploaded = await UploadAsync(survivor.Client, incident.Id, video, "recording.mp4");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/kintaraa/evidence/{uploaded.Id}");
        request.Headers.Range = new RangeHeaderValue(100_000, 100_999);
        var partial = await police.Client.SendAsync(request, TestContext.Current.CancellationToken);

        uploaded.Kind.Should().Be(EvidenceKind.Video);
        partial.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await partial.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(video[100_000..101_000]);
        var custody = await (await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}/custody")).ShouldBeOkAsync<CustodyLog>();
        custody.Entries[^1].Note.Should().Be("range bytes=100000-100999");
    }

    [Fact]
    public async Task Files_that_are_not_photos_documents_audio_or_video_are_refused_whatever_their_name()
    {
        var (survivor, _, _, incident) = await CaseAsync();

        await (await survivor.Client.PostAsync($"/api/kintaraa/incidents/{incident.Id}/evidence", Samples.Form(Samples.Executable(), "photo.jpg", "image/jpeg"), TestContext.Current.CancellationToken))
            .ShouldBeProblemAsync(415, "file_type_not_allowed");
        await (await survivor.Client.PostAsync($"/api/kintaraa/incidents/{incident.Id}/evidence", Samples.Form(Samples.Zip(), "statement.pdf"), TestContext.Current.CancellationToken))
            .ShouldBeProblemAsync(415, "file_type_not_allowed");

        (await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/evidence")).ShouldBeOkAsync<List<EvidenceView>>()).Should().BeEmpty();
    }

    [Fact]
    public async Task Uploading_again_with_the_same_id_stores_the_evidence_once()
    {
        var (survivor, _, _, incident) = await CaseAsync();
        var id = Guid.NewGuid();
        var photo = Samples.Jpeg();

        var first = await UploadAsync(survivor.Client, incident.Id, photo, "a.jpg", $"?id={id}");
        var again = await survivor.Client.PostAsync($"/api/kintaraa/incidents/{incident.Id}/evidence?id={id}", Samples.Form(photo, "a.jpg"), TestContext.Current.CancellationToken);

        first.Id.Should().Be(id);
        (await again.ShouldBeOkAsync<EvidenceView>(200)).Id.Should().Be(id);
        (await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/evidence")).ShouldBeOkAsync<List<EvidenceView>>()).Should().ContainSingle();
    }

    [Fact]
    public async Task Police_record_a_hand_over_with_the_hash_and_handed_over_evidence_can_no_longer_be_deleted()
    {
        var (survivor, police, counselor, incident) = await CaseAsync();
        var uploaded = await UploadAsync(survivor.Client, incident.Id, Samples.Jpeg(), "injury.jpg");

        await (await counselor.Client.Post($"/api/kintaraa/evidence/{uploaded.Id}/handover", new HandoverRequest("Kibera Law Courts registry", null)))
            .ShouldBeProblemAsync(403, "police_only");
        var custody = await (await police.Client.Post($"/api/kintaraa/evidence/{uploaded.Id}/handover", new HandoverRequest("Government Chemist, Nairobi", "Sealed bag 17")))
            .ShouldBeOkAsync<CustodyLog>();

        var handover = custody.Entries[^1];
        handover.Action.Should().Be(CustodyAction.HandedOver);
        handover.Recipient.Should().Be("Government Chemist, Nairobi");
        handover.Sha256.Should().Be(uploaded.Sha256);
        custody.Intact.Should().BeTrue();
        await (await survivor.Client.Delete($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(409, "in_custody");
        (await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/evidence")).ShouldBeOkAsync<List<EvidenceView>>())
            .Single().LastHandedTo.Should().Be("Government Chemist, Nairobi");
    }

    [Fact]
    public async Task The_uploader_deletes_evidence_its_content_goes_and_its_custody_record_stays()
    {
        var (survivor, police, _, incident) = await CaseAsync();
        var uploaded = await UploadAsync(survivor.Client, incident.Id, Samples.Jpeg(), "screenshot.jpg");

        await (await police.Client.Delete($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(403, "not_uploader");
        var deleted = await (await survivor.Client.Delete($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeOkAsync<EvidenceView>();

        deleted.DeletedAt.Should().NotBeNull();
        await (await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(410, "evidence_deleted");
        var custody = await (await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}/custody")).ShouldBeOkAsync<CustodyLog>();
        custody.Entries.Select(e => e.Action).Should().Equal(CustodyAction.Uploaded, CustodyAction.Deleted);
        Directory.EnumerateFiles(App.FilesPath, "*", SearchOption.AllDirectories).Should().NotContain(f => f.Contains(uploaded.Id.ToString("N"), StringComparison.OrdinalIgnoreCase)
            || f.Contains(uploaded.Id.ToString("D"), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Evidence_on_a_case_under_legal_hold_cannot_be_deleted()
    {
        var (survivor, _, _, incident) = await CaseAsync();
        var uploaded = await UploadAsync(survivor.Client, incident.Id, Samples.Jpeg(), "a.jpg");
        await (await (await World.AdminAsync()).Put($"/api/kintaraa/incidents/{incident.Id}/legal-hold", new LegalHoldRequest("Preservation order 9/2026"))).ShouldBeOkAsync<IncidentDetail>();

        await (await survivor.Client.Delete($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(409, "legal_hold");
    }

    [Fact]
    public async Task Only_people_working_the_case_see_its_evidence()
    {
        var (survivor, _, _, incident) = await CaseAsync();
        var uploaded = await UploadAsync(survivor.Client, incident.Id, Samples.Jpeg(), "a.jpg");
        var offered = await World.ProviderAsync(ProviderType.Legal);
        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/consents", new Haven.Kintaraa.Routing.ConsentRequest(SupportService.Legal, true, null, null)))
            .ShouldBeOkAsync<IncidentDetail>();
        var stranger = await World.SurvivorAsync();

        await (await offered.Client.Get($"/api/kintaraa/incidents/{incident.Id}/evidence")).ShouldBeProblemAsync(403, "not_working_case");
        await (await offered.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(404, "not_found");
        await (await stranger.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(404, "not_found");
        await (await stranger.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}/custody")).ShouldBeProblemAsync(404, "not_found");
        await (await stranger.Client.Delete($"/api/kintaraa/evidence/{uploaded.Id}")).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task An_altered_custody_entry_shows_as_a_break_in_the_chain()
    {
        var (survivor, police, _, incident) = await CaseAsync();
        var uploaded = await UploadAsync(survivor.Client, incident.Id, Samples.Jpeg(), "a.jpg");
        await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}");
        await (await police.Client.Post($"/api/kintaraa/evidence/{uploaded.Id}/handover", new HandoverRequest("Court registry", null))).ShouldBeOkAsync<CustodyLog>();

        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var tamper = new NpgsqlCommand($"UPDATE kintaraa.custody_entries SET recipient = 'Someone else' WHERE evidence_id = '{uploaded.Id}' AND sequence = 3", connection);
            await tamper.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var custody = await (await police.Client.Get($"/api/kintaraa/evidence/{uploaded.Id}/custody")).ShouldBeOkAsync<CustodyLog>();
        custody.Intact.Should().BeFalse();
        custody.BrokenAt.Should().Be(3);
    }
}
