using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Dashboard;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Dashboard;

public sealed class DashboardStatisticsTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task A_survivor_counts_their_own_cases_and_unread_messages()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        await World.ReportAsync(survivor, World.Report([], type: IncidentType.Online));
        await World.AcceptAsync(clinic, incident.Id);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "Hello"))).ShouldBeOkAsync<MessageView>(201);

        var stats = await (await survivor.Client.Get("/api/kintaraa/dashboard/stats")).ShouldBeOkAsync<DashboardStats>();

        stats.Scope.Should().Be("survivor");
        stats.Cases.Total.Should().Be(2);
        stats.Cases.ByStatus["in_progress"].Should().Be(1);
        stats.Cases.ByStatus["new"].Should().Be(1);
        stats.Cases.ByType["online"].Should().Be(1);
        stats.Cases.ReportedInPeriod.Should().Be(2);
        stats.Cases.UnreadMessages.Should().BeGreaterThan(0);
        stats.Network.Should().BeNull();
        stats.TimeToAssignment.Should().BeEmpty();
    }

    [Fact]
    public async Task A_provider_sees_their_workload_and_their_own_times()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare, capacity: 5);
        var first = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        Clock.Advance(TimeSpan.FromMinutes(4));
        await World.AcceptAsync(clinic, first.Id);

        var stats = await (await clinic.Client.Get("/api/kintaraa/dashboard/stats")).ShouldBeOkAsync<DashboardStats>();

        stats.Scope.Should().Be("provider");
        stats.Workload.Should().Be(new ProviderWorkload(1, 1, 0, 5, 2, true, true, null, 4));
        stats.Cases.Total.Should().Be(2);
        stats.TimeToAssignment.Should().ContainSingle().Which.Should().Be(new TypeTiming(ProviderType.Healthcare, 4, 4, 4, 1));
    }

    [Fact]
    public async Task Admins_see_the_whole_network_with_time_to_assignment_per_provider_type()
    {
        var admin = await World.AdminAsync();
        var before = await (await admin.Get("/api/kintaraa/dashboard/stats")).ShouldBeOkAsync<DashboardStats>();
        var counselor = await World.ProviderAsync(ProviderType.Counseling);
        var incident = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Counseling, SupportService.Financial);
        Clock.Advance(TimeSpan.FromMinutes(12));
        await World.AcceptAsync(counselor, incident.Id);

        var after = await (await admin.Get("/api/kintaraa/dashboard/stats")).ShouldBeOkAsync<DashboardStats>();

        after.Scope.Should().Be("admin");
        after.Cases.Total.Should().Be(before.Cases.Total + 1);
        after.Cases.ByStatus["in_progress"].Should().Be(before.Cases.ByStatus["in_progress"] + 1);
        after.Network!.QueuedReferrals.Should().Be(before.Network!.QueuedReferrals + 1, "no social worker is near");
        after.Network.Providers.Should().Be(before.Network.Providers + 1);
        after.TimeToAssignment.Should().Contain(t => t.ProviderType == ProviderType.Counseling && t.MedianMinutes >= 0);
        await (await admin.Get("/api/kintaraa/dashboard/stats?from=2026-12-01&to=2026-11-01")).ShouldBeProblemAsync(400, "validation_failed");
    }
}
