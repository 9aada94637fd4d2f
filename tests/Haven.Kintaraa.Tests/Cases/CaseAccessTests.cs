using System.Net;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Cases;

public sealed class CaseAccessTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task A_survivor_sees_only_their_own_cases_and_anothers_case_does_not_exist_for_them()
    {
        var mine = await World.SurvivorAsync();
        var theirs = await World.SurvivorAsync();
        var myCase = await World.ReportAsync(mine);
        var theirCase = await World.ReportAsync(theirs);

        var list = await (await mine.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        list.Items.Select(i => i.Id).Should().Equal(myCase.Id);
        await (await mine.Client.Get($"/api/kintaraa/incidents/{theirCase.Id}")).ShouldBeProblemAsync(404, "not_found");
        await (await mine.Client.Get($"/api/kintaraa/incidents/{theirCase.Id}/messages")).ShouldBeProblemAsync(404, "not_found");
        await (await mine.Client.Post($"/api/kintaraa/incidents/{theirCase.Id}/status", new ChangeStatusRequest(CaseStatus.Closed, "x")))
            .ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task A_provider_sees_a_case_only_while_it_is_referred_to_them()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var stranger = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 60);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);

        (await (await clinic.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>()).Items.Should().ContainSingle(i => i.Id == incident.Id);
        (await (await stranger.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>()).Items.Should().NotContain(i => i.Id == incident.Id);
        await (await stranger.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).ShouldBeProblemAsync(404, "not_found");

        var accepted = await World.AcceptAsync(clinic, incident.Id);
        await (await clinic.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/complete", new Haven.Kintaraa.Routing.CompleteReferralRequest(null))).ShouldBeOkAsync<ReferralView>();

        await (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).ShouldBeProblemAsync(404, "not_found");
        (await (await clinic.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>()).Items.Should().NotContain(i => i.Id == incident.Id);
    }

    [Fact]
    public async Task A_provider_with_an_offer_sees_the_case_to_decide_but_not_its_conversation()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);

        var detail = await World.DetailAsync(clinic.Client, incident.Id);
        detail.Description.Should().NotBeNull();
        detail.AllowedTransitions.Should().BeEmpty();
        await (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeProblemAsync(403, "not_working_case");
    }

    [Fact]
    public async Task Providers_see_a_pseudonymous_handle_and_only_their_own_referrals()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var police = await World.ProviderAsync(ProviderType.Police);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Medical, SupportService.Police], anonymous: true));

        var seen = await World.DetailAsync(clinic.Client, incident.Id);

        seen.IsAnonymous.Should().BeTrue();
        seen.Survivor.Should().Be(new SurvivorView(incident.Handle, null));
        seen.Referrals.Should().ContainSingle().Which.Provider!.Id.Should().Be(clinic.Id);
        var json = await (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        json.Should().NotContain(survivor.User.Id.ToString()).And.NotContain(survivor.User.Email);
        _ = police;
    }

    [Fact]
    public async Task Providers_see_the_name_of_a_survivor_who_reported_openly()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new Haven.Kintaraa.Chat.PostMessageRequest(null, "Thank you"))).ShouldBeOkAsync<Haven.Kintaraa.Chat.MessageView>(201);

        var seen = await World.DetailAsync(clinic.Client, incident.Id);
        var chat = await (await clinic.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Haven.Kintaraa.Chat.Conversation>();

        seen.Survivor.Should().Be(new SurvivorView(incident.Handle, "Test kintaraa.survivor"));
        chat.Items.Single(m => m.Body == "Thank you").Sender.Name.Should().Be("Test kintaraa.survivor");
    }

    [Fact]
    public async Task Admins_see_every_case()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor);
        var admin = await World.AdminAsync();

        (await World.DetailAsync(admin, incident.Id)).CaseNumber.Should().Be(incident.CaseNumber);
        var (platformAdmin, _) = await App.SignedInClientAsync(KintaraaRolesForTests.PlatformAdmin);
        (await World.DetailAsync(platformAdmin, incident.Id)).CaseNumber.Should().Be(incident.CaseNumber);
    }

    [Fact]
    public async Task Ids_of_things_the_caller_may_not_see_answer_404_everywhere()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var other = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 70);
        var incident = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        var offer = await World.OfferAsync(clinic, incident.Id);

        await (await other.Client.Post($"/api/kintaraa/referrals/{offer.Id}/accept")).ShouldBeProblemAsync(404, "not_found");
        await (await other.Client.Post($"/api/kintaraa/referrals/{offer.Id}/decline", new Haven.Kintaraa.Routing.DeclineRequest("other", "not mine"))).ShouldBeProblemAsync(404, "not_found");
        await (await other.Client.Post($"/api/kintaraa/referrals/{Guid.NewGuid()}/accept")).ShouldBeProblemAsync(404, "not_found");
        (await World.OfferAsync(clinic, incident.Id)).Status.Should().Be(ReferralStatus.Pending);
        _ = (await (await other.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(0);
        (await other.Client.Get($"/api/kintaraa/incidents/{incident.Id}/notes")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
