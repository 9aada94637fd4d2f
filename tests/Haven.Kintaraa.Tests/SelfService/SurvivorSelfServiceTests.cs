using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.SelfService;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.SelfService;

public sealed class SurvivorSelfServiceTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task A_safety_plan_starts_empty_is_saved_by_version_and_refuses_a_stale_save()
    {
        var survivor = await World.SurvivorAsync();
        var empty = await (await survivor.Client.Get("/api/kintaraa/me/safety-plan")).ShouldBeOkAsync<SafetyPlanView>();
        empty.Version.Should().Be(0);

        var saved = await (await survivor.Client.Put("/api/kintaraa/me/safety-plan", new SafetyPlanRequest(0, ["He starts drinking"], ["Aunt Mary's house"], ["Breathing"],
            ["Mary +254711000111"], ["ID card", "Phone charger"], "Leave through the back gate", "pineapple"))).ShouldBeOkAsync<SafetyPlanView>();
        saved.Version.Should().Be(1);
        saved.SafePlaces.Should().Equal("Aunt Mary's house");

        var stale = await (await survivor.Client.Put("/api/kintaraa/me/safety-plan", new SafetyPlanRequest(0, [], [], [], [], [], null, null)))
            .ShouldBeProblemAsync(409, "version_conflict");
        stale["current_version"]!.GetValue<int>().Should().Be(1);
        (await (await survivor.Client.Get("/api/kintaraa/me/safety-plan")).ShouldBeOkAsync<SafetyPlanView>()).CodeWord.Should().Be("pineapple");
    }

    [Fact]
    public async Task Emergency_contacts_are_kept_per_survivor_with_a_limit()
    {
        var survivor = await World.SurvivorAsync();
        var other = await World.SurvivorAsync();
        var added = await (await survivor.Client.Post("/api/kintaraa/me/emergency-contacts", new EmergencyContactRequest(null, "Mary Wanjiru", "+254 711 000111", "sister", true)))
            .ShouldBeOkAsync<EmergencyContactView>(201);
        await (await survivor.Client.Post("/api/kintaraa/me/emergency-contacts", new EmergencyContactRequest(null, "X", "call me maybe", null))).ShouldBeProblemAsync(400, "validation_failed");

        var changed = await (await survivor.Client.Put($"/api/kintaraa/me/emergency-contacts/{added.Id}", new EmergencyContactRequest(added.Version, "Mary W.", "+254711000111", "sister", false)))
            .ShouldBeOkAsync<EmergencyContactView>();
        changed.NotifyOnSos.Should().BeFalse();
        await (await other.Client.Put($"/api/kintaraa/me/emergency-contacts/{added.Id}", new EmergencyContactRequest(changed.Version, "Hijack", "+254700000000", null)))
            .ShouldBeProblemAsync(404, "not_found");
        await (await other.Client.Delete($"/api/kintaraa/me/emergency-contacts/{added.Id}")).ShouldBeProblemAsync(404, "not_found");
        (await (await other.Client.Get("/api/kintaraa/me/emergency-contacts")).ShouldBeOkAsync<List<EmergencyContactView>>()).Should().BeEmpty();

        for (var i = 1; i < SelfServiceEndpoints.MaxContacts; i++)
        {
            await (await survivor.Client.Post("/api/kintaraa/me/emergency-contacts", new EmergencyContactRequest(null, $"Friend {i}", $"+25470000{i:D4}", null))).ShouldBeOkAsync<EmergencyContactView>(201);
        }

        await (await survivor.Client.Post("/api/kintaraa/me/emergency-contacts", new EmergencyContactRequest(null, "One too many", "+254700009999", null)))
            .ShouldBeProblemAsync(409, "too_many_contacts");
        (await survivor.Client.Delete($"/api/kintaraa/me/emergency-contacts/{added.Id}")).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        (await (await survivor.Client.Get("/api/kintaraa/me/emergency-contacts")).ShouldBeOkAsync<List<EmergencyContactView>>()).Should().HaveCount(SelfServiceEndpoints.MaxContacts - 1);
    }

    [Fact]
    public async Task The_directory_lists_verified_services_nearest_first_and_never_shows_where_a_shelter_is()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare, kmNorth: 5);
        var shelter = await World.ProviderAsync(ProviderType.GbvRescue, kmNorth: 2.4);
        await World.ProviderAsync(ProviderType.Legal, kmNorth: 1, verified: false);
        await World.ProviderAsync(ProviderType.Police, kmNorth: 80);
        var survivor = await World.SurvivorAsync();
        var (lat, lon) = World.Area.At();

        var page = await (await survivor.Client.Get(FormattableString.Invariant($"/api/kintaraa/directory?latitude={lat}&longitude={lon}&radius_km=30")))
            .ShouldBeOkAsync<PageOf<DirectoryEntry>>();

        page.Items.Select(e => e.Id).Should().Equal(shelter.Id, clinic.Id);
        var hidden = page.Items[0];
        (hidden.Latitude, hidden.Longitude, hidden.Address).Should().Be((null, null, null));
        hidden.DistanceKm.Should().Be(2);
        page.Items[1].Latitude.Should().NotBeNull();
        page.Items[1].DistanceKm.Should().BeApproximately(5, 0.1);
        var legalOnly = await (await survivor.Client.Get(FormattableString.Invariant($"/api/kintaraa/directory?latitude={lat}&longitude={lon}&radius_km=100&type=police")))
            .ShouldBeOkAsync<PageOf<DirectoryEntry>>();
        legalOnly.Items.Should().ContainSingle().Which.ProviderType.Should().Be(ProviderType.Police);
        await (await survivor.Client.Get("/api/kintaraa/directory")).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task The_export_holds_everything_about_the_survivor_and_nothing_about_anyone_else()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Medical);
        await World.AcceptAsync(clinic, incident.Id);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "We can see you tomorrow."))).ShouldBeOkAsync<MessageView>(201);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/notes", new CreateNoteRequest(null, NoteKind.General, "Shared note", true))).ShouldBeOkAsync<NoteView>(201);
        await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/notes", new CreateNoteRequest(null, NoteKind.Medical, "Clinical only"))).ShouldBeOkAsync<NoteView>(201);
        await (await survivor.Client.Post("/api/kintaraa/me/emergency-contacts", new EmergencyContactRequest(null, "Mary", "+254711000111", null))).ShouldBeOkAsync<EmergencyContactView>(201);
        await World.ReportAsync(await World.SurvivorAsync());

        var response = await survivor.Client.Get("/api/kintaraa/me/export");
        var export = await response.ShouldBeOkAsync<SurvivorExport>();

        response.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        export.Cases.Should().ContainSingle();
        export.Cases[0].Case.Description.Should().Be("He hit me again last night.");
        export.Cases[0].Messages.Should().Contain(m => m.Body == "We can see you tomorrow.");
        export.Cases[0].SharedNotes.Select(n => n.Body).Should().Equal("Shared note");
        export.EmergencyContacts.Should().ContainSingle().Which.Name.Should().Be("Mary");
    }

    [Fact]
    public async Task Deleting_the_account_erases_the_cases_except_those_under_a_legal_hold_which_say_why()
    {
        var clinic = await World.ProviderAsync(ProviderType.Healthcare);
        var survivor = await World.SurvivorAsync();
        var erased = await World.ReportAsync(survivor, SupportService.Medical);
        var held = await World.ReportAsync(survivor);
        var admin = await World.AdminAsync();
        await (await admin.Put($"/api/kintaraa/incidents/{held.Id}/legal-hold", new LegalHoldRequest("Court order 112/2026, Milimani"))).ShouldBeOkAsync<IncidentDetail>();
        await (await survivor.Client.Put("/api/kintaraa/me/safety-plan", new SafetyPlanRequest(0, ["x"], [], [], [], [], null, null))).ShouldBeOkAsync<SafetyPlanView>();
        var photo = await (await survivor.Client.PostAsync($"/api/kintaraa/incidents/{erased.Id}/evidence", Samples.Form(Samples.Jpeg(), "photo.jpg"),
            TestContext.Current.CancellationToken)).ShouldBeOkAsync<Haven.Kintaraa.Evidence.EvidenceView>(201);
        var storedBefore = Directory.EnumerateFiles(App.FilesPath, "*", SearchOption.AllDirectories).Count();

        var result = await (await survivor.Client.Delete("/api/kintaraa/me")).ShouldBeOkAsync<DeletionResult>();

        result.DeletedCases.Should().Equal(erased.CaseNumber);
        result.AccountDeleted.Should().BeTrue();
        Directory.EnumerateFiles(App.FilesPath, "*", SearchOption.AllDirectories).Count().Should().Be(storedBefore - 1, "the erased case's photo {0} is gone from storage", photo.Id);
        result.KeptCases.Should().ContainSingle().Which.Should().Be(new KeptCase(held.CaseNumber, "Court order 112/2026, Milimani", KintaraaFixture.Baseline));
        await (await admin.Get($"/api/kintaraa/incidents/{erased.Id}")).ShouldBeProblemAsync(404, "not_found");
        var kept = await World.DetailAsync(admin, held.Id);
        kept.LegalHold!.Reason.Should().Be("Court order 112/2026, Milimani");
        (await (await clinic.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>()).Caseload.Should().Be(0, "the erased case freed its place");
        // Another instance may trust a session for up to the identity session-check cache (10 s).
        Clock.Advance(TimeSpan.FromSeconds(11));
        (await survivor.Client.Get("/api/kintaraa/me/safety-plan")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "the account is gone");
        await (await App.CreateClient().Post("/api/auth/login", new { email = survivor.User.Email, password = survivor.User.Password })).ShouldBeProblemAsync(401, "invalid_credentials");
    }
}
