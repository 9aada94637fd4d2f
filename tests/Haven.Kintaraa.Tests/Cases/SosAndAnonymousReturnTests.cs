using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Cases;

public sealed class SosAndAnonymousReturnTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private static readonly List<WorkingPeriodDto> Weekdays9To5 =
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new WorkingPeriodDto(d, new TimeOnly(9, 0), new TimeOnly(17, 0)))];

    [Fact]
    public async Task SOS_raises_a_critical_case_and_alerts_the_nearest_rescue_team_and_police_at_once()
    {
        var rescue = await World.ProviderAsync(ProviderType.GbvRescue, kmNorth: 2);
        await World.ProviderAsync(ProviderType.GbvRescue, kmNorth: 12);
        var police = await World.ProviderAsync(ProviderType.Police, kmNorth: 3);
        var survivor = await World.SurvivorAsync();
        var (lat, lon) = World.Area.At();

        var sos = await (await survivor.Client.Post("/api/kintaraa/sos", new SosRequest(null, lat, lon, 12, "He is outside the door")))
            .ShouldBeOkAsync<IncidentDetail>(201);

        sos.Priority.Should().Be(Priority.Critical);
        sos.Source.Should().Be(CaseSource.Sos);
        sos.Type.Should().BeNull();
        sos.Status.Should().Be(CaseStatus.Assigned);
        sos.Referrals.Should().HaveCount(2).And.OnlyContain(r => r.Kind == ReferralKind.Sos && r.RespondBy == KintaraaFixture.Baseline.AddMinutes(3));
        sos.Referrals.Single(r => r.Service == SupportService.Emergency).Provider!.Id.Should().Be(rescue.Id);
        sos.Referrals.Single(r => r.Service == SupportService.Police).Provider!.Id.Should().Be(police.Id);
        sos.Consents.Should().OnlyContain(c => c.Granted && c.Method == ConsentMethod.Sos);
        sos.Location!.Description.Should().Be("GPS fix, accurate to about 12 m");
    }

    [Fact]
    public async Task At_night_SOS_goes_to_on_call_responders_only()
    {
        await World.ProviderAsync(ProviderType.GbvRescue, kmNorth: 1, hours: Weekdays9To5);
        var onCall = await World.ProviderAsync(ProviderType.GbvRescue, kmNorth: 8, hours: Weekdays9To5, onCall: true);
        var survivor = await World.SurvivorAsync();
        var (lat, lon) = World.Area.At();
        Clock.Set(new DateTimeOffset(2026, 11, 24, 23, 30, 0, TimeSpan.Zero));
        survivor = survivor with { Client = await App.ClientForAsync(survivor.User) };

        var sos = await (await survivor.Client.Post("/api/kintaraa/sos", new SosRequest(null, lat, lon, null, null))).ShouldBeOkAsync<IncidentDetail>(201);

        sos.Referrals.Single(r => r.Service == SupportService.Emergency).Provider!.Id.Should().Be(onCall.Id);
        sos.Referrals.Single(r => r.Service == SupportService.Police).Queued.Should().BeTrue("no police station nearby is on call");
    }

    [Fact]
    public async Task Pressing_SOS_twice_on_a_bad_connection_raises_one_alert()
    {
        var survivor = await World.SurvivorAsync();
        var (lat, lon) = World.Area.At();
        var request = new SosRequest(Guid.NewGuid(), lat, lon, null, null);

        await (await survivor.Client.Post("/api/kintaraa/sos", request)).ShouldBeOkAsync<IncidentDetail>(201);
        await (await survivor.Client.Post("/api/kintaraa/sos", request)).ShouldBeOkAsync<IncidentDetail>(200);
        await (await survivor.Client.Post("/api/kintaraa/sos", request with { Latitude = null })).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task An_anonymous_reporter_checks_their_case_with_the_receipt_code_alone()
    {
        await World.ProviderAsync(ProviderType.Counseling);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, World.Report([SupportService.Counseling], anonymous: true));
        incident.ReceiptCode.Should().MatchRegex("^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}$");

        var status = await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest(incident.ReceiptCode!.Replace("-", " ", StringComparison.Ordinal))))
            .ShouldBeOkAsync<ReceiptStatus>();

        status.CaseNumber.Should().Be(incident.CaseNumber);
        status.Status.Should().Be(CaseStatus.Assigned);
        status.Referrals.Should().ContainSingle().Which.Service.Should().Be(SupportService.Counseling);
        await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest("0000-0000-0000-0000"))).ShouldBeProblemAsync(404, "receipt_not_found");
        await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest("not a code"))).ShouldBeProblemAsync(404, "receipt_not_found");
        (await World.DetailAsync(survivor.Client, incident.Id)).ReceiptCode.Should().BeNull("the code is shown once, when it is issued");
    }

    [Fact]
    public async Task A_named_report_gets_no_receipt_code()
    {
        var incident = await World.ReportAsync(await World.SurvivorAsync());

        incident.ReceiptCode.Should().BeNull();
    }

    [Fact]
    public async Task The_receipt_code_brings_the_case_to_a_new_device_and_the_old_device_loses_it()
    {
        var oldDevice = await World.SurvivorAsync();
        var incident = await World.ReportAsync(oldDevice, World.Report([], anonymous: true));
        var newDevice = await World.SurvivorAsync();

        var claimed = await (await newDevice.Client.Post("/api/kintaraa/receipts/claim", new ReceiptRequest(incident.ReceiptCode!))).ShouldBeOkAsync<IncidentDetail>();

        claimed.Id.Should().Be(incident.Id);
        (await World.DetailAsync(newDevice.Client, incident.Id)).Description.Should().Be("He hit me again last night.");
        await (await oldDevice.Client.Get($"/api/kintaraa/incidents/{incident.Id}")).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task A_new_receipt_code_replaces_the_old_one()
    {
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, World.Report([], anonymous: true));

        var fresh = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/receipt")).ShouldBeOkAsync<ReceiptResponse>();

        fresh.ReceiptCode.Should().NotBe(incident.ReceiptCode);
        await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest(incident.ReceiptCode!))).ShouldBeProblemAsync(404, "receipt_not_found");
        await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest(fresh.ReceiptCode))).ShouldBeOkAsync<ReceiptStatus>();
    }

    [Fact]
    public async Task Repeating_an_anonymous_report_issues_a_fresh_receipt_code_since_the_first_answer_may_have_been_lost()
    {
        var survivor = await World.SurvivorAsync();
        var report = World.Report([], anonymous: true, id: Guid.NewGuid());
        var first = await World.ReportAsync(survivor, report);

        var again = await (await survivor.Client.Post("/api/kintaraa/incidents", report)).ShouldBeOkAsync<IncidentDetail>(200);

        again.ReceiptCode.Should().NotBeNull().And.NotBe(first.ReceiptCode);
        await (await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest(again.ReceiptCode!))).ShouldBeOkAsync<ReceiptStatus>();
    }
}
