using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Cases;

public sealed partial class ReportingAnIncidentTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{

    [Fact]
    public async Task A_report_gets_a_case_number_and_each_consented_service_goes_to_the_nearest_provider_of_its_type()
    {
        var nearClinic = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 2);
        await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 15);
        var police = await World.ProviderAsync(ProviderType.Police, kmNorth: 4);
        var survivor = await World.SurvivorAsync();

        var incident = await World.ReportAsync(survivor, SupportService.Medical, SupportService.Police);

        CaseNumberPattern().IsMatch(incident.CaseNumber).Should().BeTrue(incident.CaseNumber);
        incident.CaseNumber.Should().StartWith("KIN-261124", "the case number carries the reporting day in Nairobi");
        incident.Status.Should().Be(CaseStatus.Assigned);
        incident.Referrals.Should().HaveCount(2);
        incident.Referrals.Single(r => r.Service == SupportService.Medical).Provider!.Id.Should().Be(nearClinic.Id);
        incident.Referrals.Single(r => r.Service == SupportService.Police).Provider!.Id.Should().Be(police.Id);
        incident.Referrals.Should().OnlyContain(r => r.Status == ReferralStatus.Pending && r.RespondBy > KintaraaFixture.Baseline);
        incident.Consents.Should().OnlyContain(c => c.Granted && c.Method == ConsentMethod.App);

        var offered = await World.DetailAsync(nearClinic.Client, incident.Id);
        offered.Description.Should().Be("He hit me again last night.");
    }

    [Fact]
    public async Task A_requested_service_without_consent_is_recorded_but_referred_to_nobody()
    {
        await World.ProviderAsync(ProviderType.Legal);
        var counselor = await World.ProviderAsync(ProviderType.Counseling);
        var survivor = await World.SurvivorAsync();

        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Legal, SupportService.Counseling], consented: [SupportService.Counseling]));

        incident.Referrals.Should().ContainSingle().Which.Provider!.Id.Should().Be(counselor.Id);
        incident.Consents.Should().ContainSingle(c => c.Service == SupportService.Legal).Which.Granted.Should().BeFalse();
        incident.SupportServices.Should().BeEquivalentTo([SupportService.Legal, SupportService.Counseling]);
    }

    [Fact]
    public async Task Sending_the_same_report_again_returns_the_same_case_and_creates_nothing_new()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var report = World.Report([SupportService.Medical], id: Guid.NewGuid());

        var first = await World.ReportAsync(survivor, report);
        var again = await (await survivor.Client.Post("/api/kintaraa/incidents/", report)).ShouldBeOkAsync<IncidentDetail>(200);

        again.Id.Should().Be(first.Id).And.Be(report.Id!.Value);
        again.CaseNumber.Should().Be(first.CaseNumber);
        again.Referrals.Should().ContainSingle();
        var mine = await (await survivor.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        mine.Total.Should().Be(1);
        var profile = await (await clinic.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>();
        profile.Caseload.Should().Be(1, "the repeated report reserved no second place");
    }

    [Fact]
    public async Task Concurrent_copies_of_one_report_make_one_case()
    {
        var survivor = await World.SurvivorAsync();
        var report = World.Report([], id: Guid.NewGuid());

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => survivor.Client.Post("/api/kintaraa/incidents", report)));

        responses.Count(r => (int)r.StatusCode == 201).Should().Be(1);
        responses.Count(r => (int)r.StatusCode == 200).Should().Be(7);
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<IncidentDetail>(HttpAssertions.Json))!.Id));
        ids.Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task Another_survivor_cannot_reuse_or_discover_a_report_id()
    {
        var owner = await World.SurvivorAsync();
        var other = await World.SurvivorAsync();
        var report = World.Report([], id: Guid.NewGuid());
        await World.ReportAsync(owner, report);

        var response = await other.Client.Post("/api/kintaraa/incidents", report);

        await response.ShouldBeProblemAsync(409, "id_in_use");
        (await other.Client.Get($"/api/kintaraa/incidents/{report.Id}")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_invalid_report_is_refused_with_field_errors_and_nothing_is_stored()
    {
        var survivor = await World.SurvivorAsync();
        var good = World.Report([SupportService.Medical]);

        await (await survivor.Client.Post("/api/kintaraa/incidents", good with { Type = null })).ShouldBeProblemAsync(400, "validation_failed");
        var consentElsewhere = await (await survivor.Client.Post("/api/kintaraa/incidents", good with { ConsentedServices = [SupportService.Legal] }))
            .ShouldBeProblemAsync(400, "validation_failed");
        consentElsewhere["errors"]!["consented_services"].Should().NotBeNull();
        var halfLocation = await (await survivor.Client.Post("/api/kintaraa/incidents", good with { Location = new LocationInput(1, null, null, null) }))
            .ShouldBeProblemAsync(400, "validation_failed");
        halfLocation["errors"]!["location"].Should().NotBeNull();
        await (await survivor.Client.Post("/api/kintaraa/incidents", good with { IncidentDate = new DateOnly(2027, 1, 1) }))
            .ShouldBeProblemAsync(400, "validation_failed");
        using var badEnum = new StringContent("""{"type":"burglary"}""", System.Text.Encoding.UTF8, "application/json");
        await (await survivor.Client.PostAsync("/api/kintaraa/incidents", badEnum, TestContext.Current.CancellationToken)).ShouldBeProblemAsync(400, "invalid_json");

        var mine = await (await survivor.Client.Get("/api/kintaraa/incidents")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        mine.Total.Should().Be(0);
    }

    [Fact]
    public async Task A_reduced_location_is_rounded_before_it_is_stored()
    {
        var survivor = await World.SurvivorAsync();
        var report = World.Report([]) with
        {
            Location = new LocationInput(-1.313456, 36.787654, "Olympic estate, house 14", "near the market"),
            LocationPrecision = LocationPrecision.Area,
        };

        var incident = await World.ReportAsync(survivor, report);

        incident.Location.Should().Be(new LocationView(-1.3, 36.8, null, "near the market", LocationPrecision.Area));
    }

    [Fact]
    public async Task The_report_opens_the_case_conversation_with_a_system_message()
    {
        var survivor = await World.SurvivorAsync();
        await World.ProviderAsync(ProviderType.Healthcare);

        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        var chat = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();

        chat.Items.Should().OnlyContain(m => m.Kind == MessageKind.System);
        chat.Items.Select(m => m.Body).Should().Contain(b => b.Contains(incident.CaseNumber, StringComparison.Ordinal))
            .And.Contain(b => b.StartsWith("Referred for medical care", StringComparison.Ordinal))
            .And.Contain(b => b.Contains("from new to assigned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_are_taken_with_or_without_a_trailing_slash()
    {
        var survivor = await World.SurvivorAsync();

        var response = await survivor.Client.Post("/api/kintaraa/incidents/", World.Report([]));

        var incident = await response.ShouldBeOkAsync<IncidentDetail>(201);
        response.Headers.Location!.ToString().Should().Be($"/api/kintaraa/incidents/{incident.Id}");
        (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [GeneratedRegex("^KIN-[0-9]{6}[0-9]{3,}$")]
    private static partial Regex CaseNumberPattern();
}
