using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Routing;
using Haven.Kintaraa.SelfService;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Authorization;

/// <summary>
/// Every Kintaraa endpoint, called by every role its policy refuses (403), by nobody (401), and — for records — by a
/// survivor and a provider with no part in the record (404: it does not exist for them).
/// </summary>
public sealed class WhoMayCallWhatTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private static readonly string[] Members = [HavenRoles.Kintaraa.Survivor, HavenRoles.Kintaraa.Provider, HavenRoles.Kintaraa.Admin, HavenRoles.Platform.Admin];
    private static readonly string[] Admins = [HavenRoles.Kintaraa.Admin, HavenRoles.Platform.Admin];
    private static readonly string[] Staff = [HavenRoles.Kintaraa.Provider, HavenRoles.Kintaraa.Admin, HavenRoles.Platform.Admin];
    private static readonly string[] Survivors = [HavenRoles.Kintaraa.Survivor];
    private static readonly string[] Providers = [HavenRoles.Kintaraa.Provider];
    private static readonly string[] SurvivorsAndAdmins = [HavenRoles.Kintaraa.Survivor, HavenRoles.Kintaraa.Admin, HavenRoles.Platform.Admin];

    /// <summary>Who may pass the policy, and whether outsiders to the record must get 404.</summary>
    private sealed record Endpoint(HttpMethod Method, Func<Scene, string> Path, string[] Allowed, Func<Scene, object?>? Body = null, bool Record = false);

    private static readonly Dictionary<string, Endpoint> Endpoints = new()
    {
        ["list cases"] = new(HttpMethod.Get, _ => "/api/kintaraa/incidents", Members),
        ["report"] = new(HttpMethod.Post, _ => "/api/kintaraa/incidents", Survivors, _ => new { type = "physical" }),
        ["case detail"] = new(HttpMethod.Get, s => $"/api/kintaraa/incidents/{s.IncidentId}", Members, Record: true),
        ["update case"] = new(HttpMethod.Put, s => $"/api/kintaraa/incidents/{s.IncidentId}", Members, _ => new { version = 1, severity = "high" }, Record: true),
        ["patch case"] = new(HttpMethod.Patch, s => $"/api/kintaraa/incidents/{s.IncidentId}", Members, _ => new { version = 1, severity = "high" }, Record: true),
        ["change status"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/status", Members, _ => new { status = "closed", reason = "test" }, Record: true),
        ["assign"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/assign", Admins, s => new { service = "medical", provider_id = s.ProviderId }),
        ["place hold"] = new(HttpMethod.Put, s => $"/api/kintaraa/incidents/{s.IncidentId}/legal-hold", Admins, _ => new { reason = "court order" }),
        ["lift hold"] = new(HttpMethod.Delete, s => $"/api/kintaraa/incidents/{s.IncidentId}/legal-hold", Admins),
        ["reissue receipt"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/receipt", Survivors, Record: true),
        ["record consent"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/consents", Members, _ => new { service = "legal", granted = true }, Record: true),
        ["refer onward"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/referrals", Providers, _ => new { service = "legal" }, Record: true),
        ["referral queue"] = new(HttpMethod.Get, _ => "/api/kintaraa/referrals/queue", Admins),
        ["accept"] = new(HttpMethod.Post, s => $"/api/kintaraa/referrals/{s.ReferralId}/accept", Providers, Record: true),
        ["decline"] = new(HttpMethod.Post, s => $"/api/kintaraa/referrals/{s.ReferralId}/decline", Providers, _ => new { code = "other", reason = "not mine" }, Record: true),
        ["complete referral"] = new(HttpMethod.Post, s => $"/api/kintaraa/referrals/{s.ReferralId}/complete", Providers, _ => new { }, Record: true),
        ["transfer"] = new(HttpMethod.Post, s => $"/api/kintaraa/referrals/{s.ReferralId}/transfer", Providers, _ => new { consent = new { method = "verbal" } }, Record: true),
        ["revoke"] = new(HttpMethod.Post, s => $"/api/kintaraa/referrals/{s.ReferralId}/revoke", SurvivorsAndAdmins, _ => new { reason = "changed my mind" }, Record: true),
        ["rate"] = new(HttpMethod.Post, s => $"/api/kintaraa/referrals/{s.ReferralId}/rating", Survivors, _ => new { rating = 5 }, Record: true),
        ["my profile"] = new(HttpMethod.Get, _ => "/api/kintaraa/providers/me", Providers),
        ["save my profile"] = new(HttpMethod.Put, _ => "/api/kintaraa/providers/me", Providers, _ => new { display_name = "Dr X", organisation = "Clinic" }),
        ["my availability"] = new(HttpMethod.Put, _ => "/api/kintaraa/providers/me/availability", Providers, _ => new { is_available = true }),
        ["my cases"] = new(HttpMethod.Get, _ => "/api/kintaraa/providers/me/cases", Providers),
        ["list providers"] = new(HttpMethod.Get, _ => "/api/kintaraa/providers", Admins),
        ["provider detail"] = new(HttpMethod.Get, s => $"/api/kintaraa/providers/{s.ProviderId}", Admins),
        ["verify"] = new(HttpMethod.Post, s => $"/api/kintaraa/providers/{s.ProviderId}/verify", Admins),
        ["unverify"] = new(HttpMethod.Post, s => $"/api/kintaraa/providers/{s.ProviderId}/unverify", Admins),
        ["directory"] = new(HttpMethod.Get, _ => "/api/kintaraa/directory?latitude=0&longitude=0", Members),
        ["read chat"] = new(HttpMethod.Get, s => $"/api/kintaraa/incidents/{s.IncidentId}/messages", Members, Record: true),
        ["write chat"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/messages", Members, _ => new { body = "hello" }, Record: true),
        ["read all"] = new(HttpMethod.Put, s => $"/api/kintaraa/incidents/{s.IncidentId}/messages/read", Members, _ => new { }, Record: true),
        ["read one"] = new(HttpMethod.Put, s => $"/api/kintaraa/messages/{s.MessageId}/read", Members, _ => new { }, Record: true),
        ["sos"] = new(HttpMethod.Post, _ => "/api/kintaraa/sos", Survivors, _ => new { latitude = 0, longitude = 0 }),
        ["claim receipt"] = new(HttpMethod.Post, _ => "/api/kintaraa/receipts/claim", Survivors, _ => new { receipt_code = "1234-5678-9012-3456" }),
        ["stats"] = new(HttpMethod.Get, _ => "/api/kintaraa/dashboard/stats", Members),
        ["recent"] = new(HttpMethod.Get, _ => "/api/kintaraa/dashboard/cases/recent", Members),
        ["list appointments"] = new(HttpMethod.Get, s => $"/api/kintaraa/incidents/{s.IncidentId}/appointments", Members, Record: true),
        ["schedule"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/appointments", Providers,
            _ => new { kind = "appointment", title = "Check-up", starts_at = KintaraaFixture.Baseline.AddDays(2) }, Record: true),
        ["change appointment"] = new(HttpMethod.Put, s => $"/api/kintaraa/appointments/{s.AppointmentId}", Staff, _ => new { version = 1, title = "Moved" }, Record: true),
        ["list notes"] = new(HttpMethod.Get, s => $"/api/kintaraa/incidents/{s.IncidentId}/notes", Members, Record: true),
        ["write note"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/notes", Staff, _ => new { kind = "general", body = "x" }, Record: true),
        ["safety plan"] = new(HttpMethod.Get, _ => "/api/kintaraa/me/safety-plan", Survivors),
        ["save safety plan"] = new(HttpMethod.Put, _ => "/api/kintaraa/me/safety-plan", Survivors, _ => new { version = 0 }),
        ["contacts"] = new(HttpMethod.Get, _ => "/api/kintaraa/me/emergency-contacts", Survivors),
        ["add contact"] = new(HttpMethod.Post, _ => "/api/kintaraa/me/emergency-contacts", Survivors, _ => new { name = "A", phone = "+254700000000" }),
        ["change contact"] = new(HttpMethod.Put, s => $"/api/kintaraa/me/emergency-contacts/{s.ContactId}", Survivors, _ => new { version = 1, name = "B", phone = "+254700000000" }, Record: true),
        ["remove contact"] = new(HttpMethod.Delete, s => $"/api/kintaraa/me/emergency-contacts/{s.ContactId}", Survivors, Record: true),
        ["export"] = new(HttpMethod.Get, _ => "/api/kintaraa/me/export", Survivors),
        ["erase"] = new(HttpMethod.Delete, _ => "/api/kintaraa/me", Survivors),
        ["upload evidence"] = new(HttpMethod.Post, s => $"/api/kintaraa/incidents/{s.IncidentId}/evidence", Members, Record: true),
        ["list evidence"] = new(HttpMethod.Get, s => $"/api/kintaraa/incidents/{s.IncidentId}/evidence", Members, Record: true),
        ["download evidence"] = new(HttpMethod.Get, s => $"/api/kintaraa/evidence/{s.EvidenceId}", Members, Record: true),
        ["custody"] = new(HttpMethod.Get, s => $"/api/kintaraa/evidence/{s.EvidenceId}/custody", Members, Record: true),
        ["hand over"] = new(HttpMethod.Post, s => $"/api/kintaraa/evidence/{s.EvidenceId}/handover", Staff, _ => new { recipient = "Court registry" }, Record: true),
        ["delete evidence"] = new(HttpMethod.Delete, s => $"/api/kintaraa/evidence/{s.EvidenceId}", Members, Record: true),
        ["sync updates"] = new(HttpMethod.Get, _ => "/api/kintaraa/incidents/updates", Members),
        ["sync batch"] = new(HttpMethod.Post, _ => "/api/kintaraa/sync/batch", Members,
            _ => new { operations = new[] { new { id = Guid.NewGuid(), type = "mark_read", message_id = Guid.NewGuid() } } }),
    };

    public static TheoryData<string> Names() => [.. Endpoints.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Every_role_outside_the_policy_is_refused(string name)
    {
        var endpoint = Endpoints[name];
        var scene = await Scene.GetAsync(World);

        await App.AuthorizationMatrix(endpoint.Method, endpoint.Path(scene), endpoint.Body?.Invoke(scene))
            .Anonymous()
            .AllRolesExcept(endpoint.Allowed)
            .AssertAsync();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Outsiders_to_a_record_are_told_it_does_not_exist(string name)
    {
        var endpoint = Endpoints[name];
        if (!endpoint.Record)
        {
            return;
        }

        var scene = await Scene.GetAsync(World);
        var outsiders = new List<(string Who, HttpClient Client)>();
        if (endpoint.Allowed.Contains(HavenRoles.Kintaraa.Survivor))
        {
            outsiders.Add(("another survivor", scene.OtherSurvivor));
        }

        if (endpoint.Allowed.Contains(HavenRoles.Kintaraa.Provider))
        {
            outsiders.Add(("a provider with no referral", scene.OtherProvider));
        }

        foreach (var (who, client) in outsiders)
        {
            using var request = new HttpRequestMessage(endpoint.Method, endpoint.Path(scene));
            if (endpoint.Body?.Invoke(scene) is { } body)
            {
                request.Content = System.Net.Http.Json.JsonContent.Create(body, body.GetType(), options: HttpAssertions.Json);
            }

            var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            ((int)response.StatusCode).Should().Be(404, "{0} calling {1} must not learn the record exists", who, name);
            await response.ShouldBeProblemAsync(404, "not_found");
        }

        await scene.AssertUntouchedAsync();
    }

    [Fact]
    public async Task The_receipt_lookup_is_open_to_anyone_with_a_code()
    {
        var response = await App.CreateClient().Post("/api/kintaraa/receipts/lookup", new ReceiptRequest("1234-5678-9012-3456"));

        await response.ShouldBeProblemAsync(404, "receipt_not_found");
    }

    /// <summary>One case with a live referral, a message, an appointment and a contact, and two outsiders: made once per app.</summary>
    private sealed class Scene
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HavenTestApp, Task<Scene>> Scenes = [];

        public required Guid IncidentId { get; init; }

        public required Guid ReferralId { get; init; }

        public required Guid ProviderId { get; init; }

        public required Guid MessageId { get; init; }

        public required Guid AppointmentId { get; init; }

        public required Guid ContactId { get; init; }

        public required Guid EvidenceId { get; init; }

        public required HttpClient Owner { get; init; }

        public required HttpClient OtherSurvivor { get; init; }

        public required HttpClient OtherProvider { get; init; }

        public required int Version { get; init; }

        public static Task<Scene> GetAsync(World world) => Scenes.GetValue(world.App, _ => CreateAsync(world));

        private static async Task<Scene> CreateAsync(World world)
        {
            var clinic = await world.ProviderAsync(ProviderType.Healthcare);
            var otherProvider = await world.ProviderAsync(ProviderType.Healthcare, kmNorth: 300);
            var survivor = await world.SurvivorAsync();
            var other = await world.SurvivorAsync();
            var incident = await world.ReportAsync(survivor, SupportService.Medical, SupportService.Counseling);
            var referral = await World.AcceptAsync(clinic, incident.Id);
            var message = await (await survivor.Client.Post($"/api/kintaraa/incidents/{incident.Id}/messages", new PostMessageRequest(null, "hi"))).ShouldBeOkAsync<MessageView>(201);
            var appointment = await (await clinic.Client.Post($"/api/kintaraa/incidents/{incident.Id}/appointments",
                new CreateAppointmentRequest(null, AppointmentKind.Appointment, "Check-up", KintaraaFixture.Baseline.AddDays(5), null, null))).ShouldBeOkAsync<AppointmentView>(201);
            var contact = await (await survivor.Client.Post("/api/kintaraa/me/emergency-contacts", new EmergencyContactRequest(null, "Mary", "+254711000111", null)))
                .ShouldBeOkAsync<EmergencyContactView>(201);
            var evidence = await (await survivor.Client.PostAsync($"/api/kintaraa/incidents/{incident.Id}/evidence", Samples.Form(Samples.Jpeg(), "photo.jpg"),
                TestContext.Current.CancellationToken)).ShouldBeOkAsync<Haven.Kintaraa.Evidence.EvidenceView>(201);
            var detail = await World.DetailAsync(survivor.Client, incident.Id);
            return new Scene
            {
                IncidentId = incident.Id, ReferralId = referral.Id, ProviderId = clinic.Id, MessageId = message.Id, AppointmentId = appointment.Id,
                ContactId = contact.Id, EvidenceId = evidence.Id, Owner = survivor.Client, OtherSurvivor = other.Client, OtherProvider = otherProvider.Client, Version = detail.Version,
            };
        }

        /// <summary>Refused calls changed nothing the owner can see.</summary>
        public async Task AssertUntouchedAsync()
        {
            var detail = await World.DetailAsync(Owner, IncidentId);
            detail.Version.Should().Be(Version);
            detail.Status.Should().Be(CaseStatus.InProgress);
            (await (await Owner.Get("/api/kintaraa/me/emergency-contacts")).ShouldBeOkAsync<List<EmergencyContactView>>()).Should().ContainSingle();
            (await (await Owner.Get($"/api/kintaraa/incidents/{IncidentId}/evidence")).ShouldBeOkAsync<List<Haven.Kintaraa.Evidence.EvidenceView>>())
                .Should().ContainSingle().Which.DeletedAt.Should().BeNull();
        }
    }
}
