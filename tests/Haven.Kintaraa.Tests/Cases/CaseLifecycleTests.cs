using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Routing;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Cases;

public sealed class CaseLifecycleTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task A_case_runs_from_new_through_assigned_in_progress_and_completed_to_closed_with_a_message_at_each_step()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        incident.Status.Should().Be(CaseStatus.Assigned);

        await World.AcceptAsync(clinic, incident.Id);
        (await World.DetailAsync(survivor.Client, incident.Id)).Status.Should().Be(CaseStatus.InProgress);

        var completed = await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Completed, null)))
            .ShouldBeOkAsync<IncidentDetail>();
        completed.Status.Should().Be(CaseStatus.Completed);
        (await World.DetailAsync(survivor.Client, incident.Id)).Referrals.Single().Status.Should().Be(ReferralStatus.Done);
        await (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).ShouldBeProblemAsync(404, "not_found");

        var closed = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Closed, null)))
            .ShouldBeOkAsync<IncidentDetail>();
        closed.Status.Should().Be(CaseStatus.Closed);
        closed.AllowedTransitions.Should().BeEmpty();

        var chat = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();
        chat.Items.Where(m => m.Kind == MessageKind.System).Select(m => m.Body).Should()
            .Contain(b => b.Contains("from new to assigned", StringComparison.Ordinal))
            .And.Contain(b => b.Contains("from assigned to in progress", StringComparison.Ordinal))
            .And.Contain(b => b.Contains("from in progress to completed", StringComparison.Ordinal))
            .And.Contain(b => b.Contains("from completed to closed", StringComparison.Ordinal))
            .And.Contain(b => b.Contains("accepted the referral for medical care", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_illegal_transition_answers_409_with_the_allowed_ones_and_changes_nothing()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);

        var problem = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Completed, null)))
            .ShouldBeProblemAsync(409, "illegal_transition");
        problem["current_status"]!.GetValue<string>().Should().Be("assigned");
        problem["allowed_transitions"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("closed");
        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.InProgress, null)))
            .ShouldBeProblemAsync(409, "illegal_transition");
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Completed, null)))
            .ShouldBeProblemAsync(409, "illegal_transition");

        var after = await World.DetailAsync(survivor.Client, incident.Id);
        after.Status.Should().Be(CaseStatus.Assigned);
        after.Version.Should().Be(incident.Version);
        after.Referrals.Single().Status.Should().Be(ReferralStatus.Pending);
    }

    [Fact]
    public async Task A_survivor_may_withdraw_a_case_at_any_point_with_a_reason_and_every_live_referral_ends()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var police = await World.ProviderAsync(ProviderType.Police);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical, SupportService.Police);
        await World.AcceptAsync(clinic, incident.Id);

        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Closed, null)))
            .ShouldBeProblemAsync(400, "validation_failed");
        var closed = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/status", new ChangeStatusRequest(CaseStatus.Closed, "I am safe now")))
            .ShouldBeOkAsync<IncidentDetail>();

        closed.Status.Should().Be(CaseStatus.Closed);
        closed.Referrals.Should().OnlyContain(r => r.Status == ReferralStatus.Revoked);
        (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await police.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "hello?")))
            .ShouldBeProblemAsync(409, "case_closed");
    }

    [Fact]
    public async Task When_every_provider_finishes_their_part_the_case_completes_itself()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var counselor = await World.ProviderAsync(ProviderType.Counseling);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical, SupportService.Counseling);
        var medical = await World.AcceptAsync(clinic, incident.Id);
        var counseling = await World.AcceptAsync(counselor, incident.Id);

        await (await clinic.Client.Post($"/api/kintaraa/referrals/{medical.Id}/complete", new CompleteReferralRequest(null))).ShouldBeOkAsync<ReferralView>();
        (await World.DetailAsync(survivor.Client, incident.Id)).Status.Should().Be(CaseStatus.InProgress);
        await (await counselor.Client.Post($"/api/kintaraa/referrals/{counseling.Id}/complete", new CompleteReferralRequest("Six sessions held"))).ShouldBeOkAsync<ReferralView>();

        (await World.DetailAsync(survivor.Client, incident.Id)).Status.Should().Be(CaseStatus.Completed);
    }

    [Fact]
    public async Task Accepting_twice_or_finishing_an_unaccepted_referral_is_an_illegal_referral_transition()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var incident = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        var offer = await World.OfferAsync(clinic, incident.Id);

        await (await clinic.Client.Post($"/api/kintaraa/referrals/{offer.Id}/complete", new CompleteReferralRequest(null)))
            .ShouldBeProblemAsync(409, "illegal_referral_transition");
        await (await clinic.Client.Post($"/api/kintaraa/referrals/{offer.Id}/accept")).ShouldBeOkAsync<ReferralView>();
        await (await clinic.Client.Post($"/api/kintaraa/referrals/{offer.Id}/accept")).ShouldBeProblemAsync(409, "illegal_referral_transition");
    }

    [Fact]
    public async Task Providers_reclassify_a_case_and_the_survivor_corrects_their_account_each_within_their_own_fields()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        var current = await World.DetailAsync(clinic.Client, incident.Id);

        var reclassified = await (await clinic.Client.Patch($"/api/kintaraa/incidents/{incident.Id}",
            (new UpdateIncidentRequest(current.Version, IncidentType.Sexual, Priority.High, null, null, null, null, null, null))))
            .ShouldBeOkAsync<IncidentDetail>();
        reclassified.Type.Should().Be(IncidentType.Sexual);
        reclassified.Priority.Should().Be(Priority.High);

        var refused = await (await clinic.Client.Put($"/api/kintaraa/incidents/{incident.Id}",
            (new UpdateIncidentRequest(reclassified.Version, null, null, null, null, null, "rewritten", null, null))))
            .ShouldBeProblemAsync(403, "not_editable");
        refused["errors"]!["description"].Should().NotBeNull();

        var stale = await (await survivor.Client.Put($"/api/kintaraa/incidents/{incident.Id}",
            (new UpdateIncidentRequest(incident.Version, null, null, null, null, null, "It happened twice.", null, null))))
            .ShouldBeProblemAsync(409, "version_conflict");
        stale["current_version"]!.GetValue<int>().Should().Be(reclassified.Version);

        var corrected = await (await survivor.Client.Put($"/api/kintaraa/incidents/{incident.Id}",
            (new UpdateIncidentRequest(reclassified.Version, null, null, null, null, null, "It happened twice.", null, null))))
            .ShouldBeOkAsync<IncidentDetail>();
        corrected.Description.Should().Be("It happened twice.");
        corrected.Type.Should().Be(IncidentType.Sexual);
    }
}
