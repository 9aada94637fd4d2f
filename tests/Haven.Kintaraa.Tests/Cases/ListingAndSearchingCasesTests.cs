using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Cases;

public sealed class ListingAndSearchingCasesTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task Lists_page_newest_first_with_the_total()
    {
        var survivor = await World.SurvivorAsync();
        var made = new List<IncidentDetail>();
        for (var i = 0; i < 5; i++)
        {
            made.Add(await World.ReportAsync(survivor));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var first = await (await survivor.Client.Get("/api/kintaraa/incidents?page_size=2")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        var third = await (await survivor.Client.Get("/api/kintaraa/incidents?page_size=2&page=3")).ShouldBeOkAsync<PageOf<IncidentSummary>>();
        var oldest = await (await survivor.Client.Get("/api/kintaraa/incidents?page_size=2&sort=oldest")).ShouldBeOkAsync<PageOf<IncidentSummary>>();

        first.Total.Should().Be(5);
        first.Items.Select(i => i.Id).Should().Equal(made[4].Id, made[3].Id);
        third.Items.Select(i => i.Id).Should().Equal(made[0].Id);
        oldest.Items.Select(i => i.Id).Should().Equal(made[0].Id, made[1].Id);
    }

    [Fact]
    public async Task Status_type_priority_and_date_filters_combine()
    {
        var survivor = await World.SurvivorAsync();
        await World.ProviderAsync(ProviderType.Healthcare);
        var sexualHigh = await World.ReportAsync(survivor, World.Report([SupportService.Medical], priority: Priority.High, type: IncidentType.Sexual));
        Clock.Advance(TimeSpan.FromMinutes(10));
        var online = await World.ReportAsync(survivor, World.Report([], type: IncidentType.Online, priority: Priority.Low));
        var economic = await World.ReportAsync(survivor, World.Report([], type: IncidentType.Economic, priority: Priority.High));

        async Task<IEnumerable<Guid>> Ids(string query) =>
            (await (await survivor.Client.Get("/api/kintaraa/incidents?" + query)).ShouldBeOkAsync<PageOf<IncidentSummary>>()).Items.Select(i => i.Id);

        (await Ids("status=assigned")).Should().Equal(sexualHigh.Id);
        (await Ids("status=new,assigned&type=online")).Should().Equal(online.Id);
        (await Ids("priority=high")).Should().BeEquivalentTo([sexualHigh.Id, economic.Id]);
        (await Ids("priority=high&type=economic,online")).Should().Equal(economic.Id);
        var cut = Uri.EscapeDataString(KintaraaFixture.Baseline.AddMinutes(5).ToString("O"));
        (await Ids($"to={cut}")).Should().Equal(sexualHigh.Id);
        (await Ids($"from={cut}")).Should().BeEquivalentTo([online.Id, economic.Id]);
    }

    [Fact]
    public async Task Search_finds_cases_by_case_number_or_handle_prefix()
    {
        var survivor = await World.SurvivorAsync();
        var a = await World.ReportAsync(survivor);
        var b = await World.ReportAsync(survivor);

        async Task<IEnumerable<Guid>> Search(string q) =>
            (await (await survivor.Client.Get("/api/kintaraa/incidents?q=" + Uri.EscapeDataString(q))).ShouldBeOkAsync<PageOf<IncidentSummary>>()).Items.Select(i => i.Id);

        (await Search(a.CaseNumber)).Should().Equal(a.Id);
        (await Search(a.CaseNumber.ToLowerInvariant())).Should().Equal(a.Id);
        (await Search(b.CaseNumber["KIN-".Length..])).Should().Equal([b.Id], "the digits alone are a case number");
        (await Search("KIN-261124")).Should().BeEquivalentTo([a.Id, b.Id]);
        (await Search(b.Handle)).Should().Equal(b.Id);
        (await Search("S-")).Should().BeEquivalentTo([a.Id, b.Id]);
        (await Search("KIN-999999")).Should().BeEmpty();
    }

    [Fact]
    public async Task Admins_filter_by_provider_and_see_everyone_elses_cases_too()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var one = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        var two = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        await World.ReportAsync(await World.SurvivorAsync());
        var admin = await World.AdminAsync();

        var referred = await (await admin.Get($"/api/kintaraa/incidents?provider_id={clinic.Id}")).ShouldBeOkAsync<PageOf<IncidentSummary>>();

        referred.Items.Select(i => i.Id).Should().BeEquivalentTo([one.Id, two.Id]);
        await (await clinic.Client.Get($"/api/kintaraa/incidents?provider_id={clinic.Id}")).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task Unknown_filter_values_and_bad_paging_are_refused_with_field_errors()
    {
        var survivor = await World.SurvivorAsync();

        var problem = await (await survivor.Client.Get("/api/kintaraa/incidents?status=open&priority=urgent&page=0&page_size=1000&q=%25x"))
            .ShouldBeProblemAsync(400, "validation_failed");

        problem["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["status", "priority", "page", "page_size", "q"]);
        await (await survivor.Client.Get("/api/kintaraa/incidents?from=2026-11-25&to=2026-11-24")).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task A_provider_sees_their_work_list_with_offers_first()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var accepted = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);
        await World.AcceptAsync(clinic, accepted.Id);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var offered = await World.ReportAsync(await World.SurvivorAsync(), SupportService.Medical);

        var list = await (await clinic.Client.Get("/api/kintaraa/providers/me/cases")).ShouldBeOkAsync<PageOf<AssignedCase>>();

        list.Items.Select(c => c.Incident.Id).Should().Equal(offered.Id, accepted.Id);
        list.Items.Select(c => c.Referral.Status).Should().Equal(ReferralStatus.Pending, ReferralStatus.Accepted);
        var onlyAccepted = await (await clinic.Client.Get("/api/kintaraa/providers/me/cases?status=accepted")).ShouldBeOkAsync<PageOf<AssignedCase>>();
        onlyAccepted.Items.Should().ContainSingle().Which.Incident.Id.Should().Be(accepted.Id);
    }

    [Fact]
    public async Task Recent_cases_are_the_most_recently_active()
    {
        var survivor = await World.SurvivorAsync();
        var older = await World.ReportAsync(survivor);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var newer = await World.ReportAsync(survivor);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await (await survivor.Client.Patch($"/api/kintaraa/incidents/{older.Id}", new UpdateIncidentRequest(older.Version, null, null, Severity.High, null, null, null, null, null)))
            .ShouldBeOkAsync<IncidentDetail>();

        var recent = await (await survivor.Client.Get("/api/kintaraa/dashboard/cases/recent?limit=2")).ShouldBeOkAsync<List<IncidentSummary>>();

        recent.Select(i => i.Id).Should().Equal(older.Id, newer.Id);
    }
}
