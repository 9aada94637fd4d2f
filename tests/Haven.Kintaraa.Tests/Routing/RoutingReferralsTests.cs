using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Routing;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa.Tests.Routing;

public sealed class RoutingReferralsTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private static readonly List<WorkingPeriodDto> WeekendsOnly =
        [new(DayOfWeek.Saturday, new TimeOnly(8, 0), new TimeOnly(17, 0)), new(DayOfWeek.Sunday, new TimeOnly(8, 0), new TimeOnly(17, 0))];

    [Fact]
    public async Task Unverified_away_full_and_off_duty_providers_are_passed_over_for_the_nearest_one_who_can_take_the_case()
    {
        await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 0.5, verified: false);
        await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 1, available: false);
        await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 1.5, capacity: 0);
        await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 2, hours: WeekendsOnly);
        var able = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 9);
        var survivor = await World.SurvivorAsync();

        var incident = await World.ReportAsync(survivor, SupportService.Medical);

        incident.Referrals.Should().ContainSingle().Which.Provider!.Id.Should().Be(able.Id);
    }

    [Fact]
    public async Task Admins_see_the_score_and_the_reasons_of_a_routing_decision_and_nobody_else_does()
    {
        var chosen = await World.ProviderAsync(ProviderType.Counseling, kmNorth: 3);
        await World.ProviderAsync(ProviderType.Counseling, kmNorth: 30);
        await World.ProviderAsync(ProviderType.Counseling, kmNorth: 1, available: false);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Counseling);

        var asAdmin = await World.DetailAsync(await World.AdminAsync(), incident.Id);

        var routing = asAdmin.Referrals.Single().Routing!;
        routing.Score.Should().BeGreaterThan(900);
        routing.DistanceKm.Should().BeApproximately(3, 0.1);
        routing.Trace!.Considered.Should().Be(3);
        routing.Trace.Excluded[RoutingEngine.Unavailable].Should().Be(1);
        routing.Trace.Reasons.Should().Contain(r => r.Contains("3.0 km", StringComparison.Ordinal))
            .And.Contain(r => r.StartsWith("inside working hours", StringComparison.Ordinal))
            .And.Contain("ranked 1 of 2 eligible providers");
        routing.Trace.RunnersUp.Should().ContainSingle();
        (await World.DetailAsync(survivor.Client, incident.Id)).Referrals.Single().Routing.Should().BeNull();
        (await World.DetailAsync(chosen.Client, incident.Id)).Referrals.Single().Routing.Should().BeNull();
    }

    [Fact]
    public async Task A_declined_referral_goes_straight_to_the_next_provider_and_the_decliner_loses_the_case()
    {
        var first = await World.ProviderAsync(ProviderType.Legal, kmNorth: 1);
        var second = await World.ProviderAsync(ProviderType.Legal, kmNorth: 5);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Legal);
        var offer = await World.OfferAsync(first, incident.Id);

        var declined = await (await first.Client.Post($"/api/kintaraa/referrals/{offer.Id}/decline", new DeclineRequest("conflict_of_interest", "I represent the other party.")))
            .ShouldBeOkAsync<ReferralView>();

        declined.Status.Should().Be(ReferralStatus.Declined);
        declined.DeclineReason.Should().Be("I represent the other party.");
        var detail = await World.DetailAsync(survivor.Client, incident.Id);
        var next = detail.Referrals.Single(r => r.Status == ReferralStatus.Pending);
        next.Provider!.Id.Should().Be(second.Id);
        next.Attempt.Should().Be(2);
        detail.Status.Should().Be(CaseStatus.Assigned);
        (await first.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await (await first.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(0);
    }

    [Fact]
    public async Task A_decline_needs_a_known_reason()
    {
        var provider = await World.ProviderAsync(ProviderType.Legal);
        var incident = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Legal);
        var offer = await World.OfferAsync(provider, incident.Id);

        await (await provider.Client.Post($"/api/kintaraa/referrals/{offer.Id}/decline", new DeclineRequest("bored", "no"))).ShouldBeProblemAsync(400, "validation_failed");

        (await World.OfferAsync(provider, incident.Id)).Status.Should().Be(ReferralStatus.Pending);
    }

    [Fact]
    public async Task An_offer_nobody_answers_in_time_is_re_routed_by_the_sweep()
    {
        var silent = await World.ProviderAsync(ProviderType.Social, kmNorth: 1);
        var next = await World.ProviderAsync(ProviderType.Social, kmNorth: 6);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Shelter);

        Clock.Advance(TimeSpan.FromMinutes(9));
        await SweepAsync();
        (await World.DetailAsync(survivor.Client, incident.Id)).Referrals.Should().ContainSingle("the offer has not lapsed yet");
        Clock.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();
        await SweepAsync();

        var detail = await World.DetailAsync(survivor.Client, incident.Id);
        detail.Referrals.Should().HaveCount(2, "one lapse re-routes once, however often the sweep runs");
        var lapsed = detail.Referrals.Single(r => r.Status == ReferralStatus.Declined);
        lapsed.Provider!.Id.Should().Be(silent.Id);
        lapsed.DeclineCode.Should().Be("no_response");
        lapsed.DeclineReason.Should().Be("No answer within 10 minutes.");
        detail.Referrals.Single(r => r.Status == ReferralStatus.Pending).Provider!.Id.Should().Be(next.Id);
    }

    [Fact]
    public async Task With_no_provider_left_the_referral_waits_in_the_admin_queue_until_one_is_assigned()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Financial);
        var admin = await World.AdminAsync();

        incident.Status.Should().Be(CaseStatus.New);
        var queued = incident.Referrals.Should().ContainSingle().Subject;
        queued.Queued.Should().BeTrue();
        var queue = await (await admin.Get("/api/kintaraa/referrals/queue")).ShouldBeOkAsync<List<QueuedReferral>>();
        queue.Should().Contain(q => q.Id == queued.Id && q.CaseNumber == incident.CaseNumber);
        queue.Single(q => q.Id == queued.Id).Routing!.Reasons.Should().ContainSingle().Which.Should().StartWith("no ", "the reason says why nobody fits");

        var social = await World.ProviderAsync(ProviderType.Social, kmNorth: 2);
        var assigned = await (await admin.Post($"/api/kintaraa/incidents/{incident.Id}/assign", new AssignRequest(SupportService.Financial, social.Id, "Closest social worker")))
            .ShouldBeOkAsync<IncidentDetail>();

        assigned.Status.Should().Be(CaseStatus.Assigned);
        var referral = assigned.Referrals.Single(r => r.Status == ReferralStatus.Pending);
        referral.Id.Should().Be(queued.Id, "the queued referral itself is routed");
        referral.Kind.Should().Be(ReferralKind.Manual);
        referral.Provider!.Id.Should().Be(social.Id);
        (await (await admin.Get("/api/kintaraa/referrals/queue")).ShouldBeOkAsync<List<QueuedReferral>>()).Should().NotContain(q => q.Id == queued.Id);
    }

    [Fact]
    public async Task The_queue_sweep_routes_a_waiting_referral_once_a_provider_comes_on_duty()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.CommunityHealth);
        var chw = await World.ProviderAsync(ProviderType.Chw, kmNorth: 3, available: false);

        Clock.Advance(TimeSpan.FromMinutes(6));
        await RetryQueueAsync();
        (await World.DetailAsync(survivor.Client, incident.Id)).Referrals.Single().Queued.Should().BeTrue();
        await (await chw.Client.Put("/api/kintaraa/providers/me/availability", new AvailabilityRequest(true, null))).ShouldBeOkAsync<ProviderProfile>();
        Clock.Advance(TimeSpan.FromMinutes(6));
        await RetryQueueAsync();

        (await World.OfferAsync(chw, incident.Id)).Status.Should().Be(ReferralStatus.Pending);
    }

    [Fact]
    public async Task Assigning_without_the_survivors_consent_for_that_service_is_refused()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Police], consented: []));
        var police = await World.ProviderAsync(ProviderType.Police);

        var response = await (await World.AdminAsync()).Post($"/api/kintaraa/incidents/{incident.Id}/assign", new AssignRequest(SupportService.Police, police.Id, null));

        await response.ShouldBeProblemAsync(409, "consent_required");
        (await World.DetailAsync(survivor.Client, incident.Id)).Referrals.Should().BeEmpty();
    }

    [Fact]
    public async Task Caseload_never_exceeds_capacity_when_many_reports_arrive_at_once()
    {
        var small = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 1, capacity: 3);
        var backup = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 20, capacity: 4);
        var survivors = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => World.SurvivorAsync()));

        var incidents = await Task.WhenAll(survivors.Select(s => World.ReportAsync(s, SupportService.Medical)));

        var providers = incidents.Select(i => i.Referrals.Single()).GroupBy(r => r.Provider?.Id).ToDictionary(g => g.Key ?? Guid.Empty, g => g.Count());
        providers[small.Id].Should().Be(3);
        providers[backup.Id].Should().Be(4);
        providers[Guid.Empty].Should().Be(3, "the rest wait in the admin queue");
        (await (await small.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(3);
        (await (await backup.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(4);
    }

    [Fact]
    public async Task Finishing_or_declining_frees_the_place_it_held()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare, capacity: 1);
        var first = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        var accepted = await World.AcceptAsync(clinic, first.Id);
        var waiting = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        waiting.Referrals.Single().Queued.Should().BeTrue("the clinic is full");

        await (await clinic.Client.Post($"/api/kintaraa/referrals/{accepted.Id}/complete", new CompleteReferralRequest("Treated, PEP given")))
            .ShouldBeOkAsync<ReferralView>();

        (await (await clinic.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(0);
        Clock.Advance(TimeSpan.FromMinutes(6));
        await RetryQueueAsync();
        (await World.OfferAsync(clinic, waiting.Id)).Status.Should().Be(ReferralStatus.Pending);
    }

    private Task<int> SweepAsync() => App.InScopeAsync(sp => sp.GetRequiredService<RoutingSweep>().ExpireOverdueAsync(CancellationToken.None));

    private Task<int> RetryQueueAsync() => App.InScopeAsync(sp => sp.GetRequiredService<RoutingSweep>().RetryQueuedAsync(CancellationToken.None));
}
