using System.Net;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Routing;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Routing;

public sealed class ConsentAndOnwardCareTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task Consent_given_later_routes_the_service_at_once()
    {
        var lawyer = await World.ProviderAsync(ProviderType.Legal);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Legal], consented: []));

        var after = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/consents", new ConsentRequest(SupportService.Legal, true, null, null)))
            .ShouldBeOkAsync<IncidentDetail>();

        after.Referrals.Should().ContainSingle().Which.Provider!.Id.Should().Be(lawyer.Id);
        after.Consents.Where(c => c.Service == SupportService.Legal).Select(c => c.Granted).Should().Equal(false, true);
    }

    [Fact]
    public async Task Withdrawing_consent_ends_the_referral_and_the_provider_can_no_longer_see_the_case()
    {
        var counselor = await World.ProviderAsync(ProviderType.Counseling);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Counseling);
        await World.AcceptAsync(counselor, incident.Id);

        var after = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/consents", new ConsentRequest(SupportService.Counseling, false, null, "Not ready")))
            .ShouldBeOkAsync<IncidentDetail>();

        after.Referrals.Single().Status.Should().Be(ReferralStatus.Revoked);
        after.Status.Should().Be(CaseStatus.New);
        (await counselor.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await counselor.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(0);
    }

    [Fact]
    public async Task An_onward_referral_needs_the_survivors_consent_for_that_service()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var counselor = await World.ProviderAsync(ProviderType.Counseling, kmNorth: 3);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);

        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/referrals", new OnwardReferralRequest(SupportService.Counseling, null, null, "Trauma follow-up")))
            .ShouldBeProblemAsync(409, "consent_required");

        var onward = await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/referrals",
            new OnwardReferralRequest(SupportService.Counseling, null, new ConsentInput(ConsentMethod.Verbal, "Agreed during the exam"), "Trauma follow-up")))
            .ShouldBeOkAsync<ReferralView>(201);

        onward.Kind.Should().Be(ReferralKind.Onward);
        onward.Provider!.Id.Should().Be(counselor.Id);
        var detail = await World.DetailAsync(survivor.Client, incident.Id);
        detail.Consents.Should().Contain(c => c.Service == SupportService.Counseling && c.Granted && c.Method == ConsentMethod.Verbal && c.RecordedByRole == ParticipantRole.Provider);
        detail.SupportServices.Should().Contain(SupportService.Counseling);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/referrals", new OnwardReferralRequest(SupportService.Counseling, null, null, null)))
            .ShouldBeProblemAsync(409, "already_referred");
    }

    [Fact]
    public async Task A_provider_transfers_their_part_to_a_named_colleague_with_consent_and_steps_out()
    {
        var first = await World.ProviderAsync(ProviderType.Social, kmNorth: 1);
        var colleague = await World.ProviderAsync(ProviderType.Social, kmNorth: 40);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Shelter);
        var accepted = await World.AcceptAsync(first, incident.Id);

        var done = await (await first.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/transfer",
            new TransferRequest(colleague.Id, new ConsentInput(ConsentMethod.Written, "Signed transfer form"), "Moving to her sister's town")))
            .ShouldBeOkAsync<ReferralView>();

        done.Status.Should().Be(ReferralStatus.Done);
        var detail = await World.DetailAsync(survivor.Client, incident.Id);
        var transfer = detail.Referrals.Single(r => r.Status == ReferralStatus.Pending);
        transfer.Kind.Should().Be(ReferralKind.Transfer);
        transfer.Provider!.Id.Should().Be(colleague.Id);
        detail.Status.Should().Be(CaseStatus.Assigned, "the case waits for the colleague to accept");
        (await first.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await World.AcceptAsync(colleague, incident.Id);
        (await World.DetailAsync(survivor.Client, incident.Id)).Status.Should().Be(CaseStatus.InProgress);
    }

    [Fact]
    public async Task A_transfer_without_recorded_consent_is_refused()
    {
        var first = await World.ProviderAsync(ProviderType.Social);
        var incident = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Shelter);
        var accepted = await World.AcceptAsync(first, incident.Id);

        await (await first.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/transfer", new { to_provider_id = (Guid?)null, note = "x" }))
            .ShouldBeProblemAsync(400, "validation_failed");
        await (await first.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/transfer", new TransferRequest(null, new ConsentInput(ConsentMethod.App, null), null)))
            .ShouldBeProblemAsync(400, "validation_failed");

        (await World.OfferAsync(first, incident.Id)).Status.Should().Be(ReferralStatus.Accepted);
    }

    [Fact]
    public async Task An_admin_revoking_a_referral_sends_the_service_to_another_provider()
    {
        var slow = await World.ProviderAsync(ProviderType.Police, kmNorth: 1);
        var other = await World.ProviderAsync(ProviderType.Police, kmNorth: 10);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Police);
        var offer = await World.OfferAsync(slow, incident.Id);

        var revoked = await (await (await World.AdminAsync()).Post($"/api/kintaraa/referrals/{offer.Id}/revoke", new RevokeRequest("Station closed for renovation")))
            .ShouldBeOkAsync<ReferralView>();

        revoked.Status.Should().Be(ReferralStatus.Revoked);
        (await World.OfferAsync(other, incident.Id)).Status.Should().Be(ReferralStatus.Pending);
    }

    [Fact]
    public async Task The_survivor_rates_a_finished_referral_and_the_providers_rating_follows()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var ratings = new List<short> { 5, 4 };
        foreach (var rating in ratings)
        {
            var survivor = await World.SurvivorAsync();
            var incident = await World.ReportAsync(survivor, SupportService.Medical);
            var accepted = await World.AcceptAsync(clinic, incident.Id);
            await (await survivor.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/rating", new RatingRequest(rating))).ShouldBeProblemAsync(409, "not_rateable");
            await (await clinic.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/complete", new CompleteReferralRequest(null))).ShouldBeOkAsync<ReferralView>();
            (await (await survivor.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/rating", new RatingRequest(rating))).ShouldBeOkAsync<ReferralView>())
                .Rating.Should().Be(rating);
        }

        var profile = await (await clinic.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>();
        profile.Rating.Should().Be(4.5m);
        profile.RatingCount.Should().Be(2);
        profile.ResponseTimeMinutes.Should().Be(0, "both referrals were accepted the moment they were offered");
    }
}
