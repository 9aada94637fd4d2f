using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Demo;

/// <summary>The demo cases, each written once (found by its fixed id on later runs) with its whole story.</summary>
internal sealed class DemoCases(
    KintaraaDbContext db, CaseNumbers caseNumbers, ReceiptCodes receipts, IReadOnlyDictionary<string, Provider> providers, DateTimeOffset now)
{
    private sealed class Story(Incident incident, DateTimeOffset now)
    {
        public Incident Incident { get; } = incident;

        public List<object> Rows { get; } = [];

        public Referral Refer(SupportService service, Provider? provider, ReferralStatus status, double hoursAfterReport, double? answeredAfterMinutes = null)
        {
            var created = Incident.CreatedAt.AddHours(hoursAfterReport);
            var referral = new Referral
            {
                Id = KintaraaDemoData.DemoId("referral", $"{Incident.Id}:{service}"),
                IncidentId = Incident.Id,
                Service = service,
                ProviderType = provider?.ProviderType ?? SupportServices.ProviderTypeFor(service),
                ProviderId = provider?.Id,
                Kind = Incident.Source == CaseSource.Sos ? ReferralKind.Sos : ReferralKind.Routed,
                Status = status,
                Attempt = 1,
                Score = provider is null ? null : 995.5m,
                DistanceKm = provider is null ? null : 2.4,
                Routing = new RoutingTrace(provider is null ? 0 : 3, new Dictionary<string, int> { ["outside_working_hours"] = 1 },
                    provider is null ? ["no eligible provider among 0"] : ["verified and available", "inside working hours", "2.4 km from the reported location", "ranked 1 of 2 eligible providers"], []),
                CreatedAt = created,
                OfferedAt = provider is null ? null : created,
                RespondBy = status == ReferralStatus.Pending && provider is not null ? now.AddMinutes(20) : null,
                RespondedAt = answeredAfterMinutes is { } m ? created.AddMinutes(m) : null,
                CompletedAt = status == ReferralStatus.Done ? created.AddDays(5) : null,
                QueuedAt = provider is null ? created : null,
                Version = 1,
            };
            Rows.Add(referral);
            Rows.Add(new Consent
            {
                Id = KintaraaDemoData.DemoId("consent", $"{Incident.Id}:{service}"),
                IncidentId = Incident.Id,
                Service = service,
                Granted = true,
                Method = Incident.Source == CaseSource.Sos ? ConsentMethod.Sos : ConsentMethod.App,
                RecordedBy = Incident.SurvivorId,
                RecordedByRole = ParticipantRole.Survivor,
                RecordedAt = Incident.CreatedAt,
            });
            return referral;
        }

        public void Say(ParticipantRole role, Guid? sender, Provider? provider, string body, double hoursAfterReport)
        {
            Rows.Add(new Message
            {
                Id = KintaraaDemoData.DemoId("message", $"{Incident.Id}:{Rows.Count}:{body}"),
                IncidentId = Incident.Id,
                SenderId = role == ParticipantRole.System ? null : sender,
                SenderRole = role,
                SenderProviderId = provider?.Id,
                Kind = role == ParticipantRole.System ? MessageKind.System : MessageKind.Text,
                Body = body,
                CreatedAt = Incident.CreatedAt.AddHours(hoursAfterReport),
            });
        }
    }

    public Task InProgressAsync(Guid survivor, CancellationToken ct) => WriteAsync("amina-physical", survivor, IncidentType.Physical, CaseStatus.InProgress, Priority.High,
        daysAgo: 3, anonymous: false, "My husband beat me when he came home drunk. My arm is swollen and I am scared to go back.", [SupportService.Medical, SupportService.Police],
        story =>
        {
            var nwh = providers["nwh"];
            story.Refer(SupportService.Medical, nwh, ReferralStatus.Accepted, 0, answeredAfterMinutes: 9);
            story.Refer(SupportService.Police, providers["kilimani"], ReferralStatus.Pending, 0);
            story.Incident.FirstAcceptedAt = story.Incident.CreatedAt.AddMinutes(9);
            story.Incident.FirstResponseAt = story.Incident.CreatedAt.AddMinutes(14);
            story.Say(ParticipantRole.System, null, null, $"Case {story.Incident.CaseNumber} was reported.", 0);
            story.Say(ParticipantRole.System, null, null, $"{nwh.DisplayName} ({nwh.Organisation}) accepted the referral for medical care.", 0.15);
            story.Say(ParticipantRole.Provider, nwh.UserId, nwh, "Hello, I am Dr. Achieng. Can you come to the GBV recovery centre today? It is open until 5pm.", 0.25);
            story.Say(ParticipantRole.Survivor, story.Incident.SurvivorId, null, "Yes, I can come at 2pm with my sister.", 0.5);
            story.Say(ParticipantRole.Provider, nwh.UserId, nwh, "Good. Bring any clothes from that night in a paper bag if you can.", 0.6);
            story.Rows.Add(new Appointment
            {
                Id = KintaraaDemoData.DemoId("appointment", "amina-review"),
                IncidentId = story.Incident.Id,
                ProviderId = nwh.Id,
                Kind = AppointmentKind.Appointment,
                Title = "Review and X-ray results",
                StartsAt = now.AddDays(2).Date.AddHours(8),
                Location = "GBV Recovery Centre, Hurlingham",
                Status = AppointmentStatus.Scheduled,
                CreatedBy = nwh.UserId,
                CreatedAt = story.Incident.CreatedAt.AddHours(5),
                UpdatedAt = story.Incident.CreatedAt.AddHours(5),
                Version = 1,
            });
            story.Rows.Add(Note("amina-medical", story.Incident, nwh, NoteKind.Medical, "Soft tissue injury left forearm, no fracture on palpation; X-ray requested. P3 form completed.", false));
            story.Rows.Add(Note("amina-general", story.Incident, nwh, NoteKind.General, "Survivor staying with her sister in Kibera for now. Prefers calls after 6pm.", true));
        }, ct);

    public Task CompletedAsync(Guid survivor, CancellationToken ct) => WriteAsync("amina-emotional", survivor, IncidentType.Emotional, CaseStatus.Completed, Priority.Medium,
        daysAgo: 40, anonymous: false, "Constant threats and insults, he checks my phone and takes my salary.", [SupportService.Counseling],
        story =>
        {
            var lvct = providers["lvct"];
            var referral = story.Refer(SupportService.Counseling, lvct, ReferralStatus.Done, 0, answeredAfterMinutes: 25);
            referral.Rating = 5;
            story.Incident.FirstAcceptedAt = story.Incident.CreatedAt.AddMinutes(25);
            story.Incident.FirstResponseAt = story.Incident.CreatedAt.AddMinutes(40);
            story.Incident.CompletedAt = story.Incident.CreatedAt.AddDays(30);
            story.Say(ParticipantRole.Provider, lvct.UserId, lvct, "We have finished our six sessions. You can always come back to the support group on Thursdays.", 720);
            story.Say(ParticipantRole.System, null, null, "Case status changed from in progress to completed.", 720.1);
            story.Rows.Add(Note("amina-session", story.Incident, lvct, NoteKind.Session, "Session 6: coping plan reviewed, sleep improved, no current suicidal ideation.", false));
        }, ct);

    public Task ClosedAsync(Guid survivor, CancellationToken ct) => WriteAsync("amina-online", survivor, IncidentType.Online, CaseStatus.Closed, Priority.Low,
        daysAgo: 75, anonymous: false, "An ex-boyfriend posted my photos on Facebook.", [SupportService.Legal],
        story =>
        {
            story.Refer(SupportService.Legal, providers["fida"], ReferralStatus.Done, 0, answeredAfterMinutes: 120);
            story.Incident.FirstAcceptedAt = story.Incident.CreatedAt.AddHours(2);
            story.Incident.CompletedAt = story.Incident.CreatedAt.AddDays(20);
            story.Incident.ClosedAt = story.Incident.CreatedAt.AddDays(21);
            story.Say(ParticipantRole.System, null, null, "Case status changed from completed to closed.", 504);
        }, ct);

    public Task AnonymousAssignedAsync(Guid survivor, CancellationToken ct) => WriteAsync("faith-sexual", survivor, IncidentType.Sexual, CaseStatus.Assigned, Priority.High,
        daysAgo: 0.1, anonymous: true, "I was assaulted by a neighbour last night near the water point.", [SupportService.Medical, SupportService.Legal],
        story =>
        {
            story.Refer(SupportService.Medical, providers["knh"], ReferralStatus.Pending, 0);
            story.Refer(SupportService.Legal, providers["fida"], ReferralStatus.Pending, 0);
            story.Incident.ReceiptCodeHash = receipts.Hash(KintaraaDemoData.DemoReceiptCode);
            story.Say(ParticipantRole.System, null, null, $"Case {story.Incident.CaseNumber} was reported.", 0);
        }, ct);

    public Task AwaitingConsentAsync(Guid survivor, CancellationToken ct) => WriteAsync("faith-economic", survivor, IncidentType.Economic, CaseStatus.New, Priority.Medium,
        daysAgo: 1, anonymous: false, "My brothers took the land my late husband left me and my children.", [SupportService.Legal, SupportService.Financial],
        story =>
        {
            foreach (var service in new[] { SupportService.Legal, SupportService.Financial })
            {
                story.Rows.Add(new Consent
                {
                    Id = KintaraaDemoData.DemoId("consent", $"{story.Incident.Id}:{service}"),
                    IncidentId = story.Incident.Id,
                    Service = service,
                    Granted = false,
                    Method = ConsentMethod.App,
                    RecordedBy = survivor,
                    RecordedByRole = ParticipantRole.Survivor,
                    RecordedAt = story.Incident.CreatedAt,
                });
            }

            story.Say(ParticipantRole.System, null, null, $"Case {story.Incident.CaseNumber} was reported.", 0);
        }, ct);

    public Task SosAsync(Guid survivor, CancellationToken ct) => WriteAsync("faith-sos", survivor, null, CaseStatus.InProgress, Priority.Critical,
        daysAgo: 0.02, anonymous: false, "He is outside the door with a panga", [SupportService.Emergency, SupportService.Police],
        story =>
        {
            var rescue = providers["rescue"];
            story.Incident.Source = CaseSource.Sos;
            story.Incident.Severity = Severity.High;
            story.Refer(SupportService.Emergency, rescue, ReferralStatus.Accepted, 0, answeredAfterMinutes: 2);
            story.Refer(SupportService.Police, providers["kilimani"], ReferralStatus.Pending, 0);
            story.Incident.FirstAcceptedAt = story.Incident.CreatedAt.AddMinutes(2);
            story.Say(ParticipantRole.System, null, null, $"SOS alert {story.Incident.CaseNumber} raised. Emergency responders are being alerted.", 0);
            story.Say(ParticipantRole.Provider, rescue.UserId, rescue, "Our team is on the way, 10 minutes. Lock the door and stay in the bedroom.", 0.05);
        }, ct);

    public async Task SafetyPlanAsync(Guid survivor, CancellationToken ct)
    {
        if (await db.SafetyPlans.AnyAsync(p => p.UserId == survivor, ct))
        {
            return;
        }

        db.SafetyPlans.Add(new SafetyPlan
        {
            UserId = survivor,
            Content = new SafetyPlanContent(["He drinks on Fridays", "He hides my phone"], ["My sister's house in Kibera", "Kilimani Police Station"],
                ["Call my sister", "Breathing exercise"], ["Sister Zawadi +254711000222"], ["ID card", "Children's birth certificates", "Some cash", "Phone charger"],
                "Leave through the back gate to the matatu stage.", "mango"),
            UpdatedAt = now.AddDays(-2),
            Version = 1,
        });
        db.EmergencyContacts.Add(new EmergencyContact
        {
            Id = KintaraaDemoData.DemoId("contact", "amina-zawadi"),
            UserId = survivor,
            Name = "Zawadi Hassan",
            Phone = "+254711000222",
            Relationship = "sister",
            NotifyOnSos = true,
            CreatedAt = now.AddDays(-2),
            UpdatedAt = now.AddDays(-2),
            Version = 1,
        });
        await db.SaveChangesAsync(ct);
    }

    private async Task WriteAsync(string key, Guid survivor, IncidentType? type, CaseStatus status, Priority priority, double daysAgo, bool anonymous,
        string description, SupportService[] services, Action<Story> tell, CancellationToken ct)
    {
        var id = KintaraaDemoData.DemoId("incident", key);
        if (await db.Incidents.AnyAsync(i => i.Id == id, ct))
        {
            return;
        }

        var created = now.AddDays(-daysAgo);
        var incident = new Incident
        {
            Id = id,
            CaseNumber = await caseNumbers.NextAsync(DateOnly.FromDateTime(created.UtcDateTime.AddHours(3)), ct),
            Handle = CaseNumbers.NewHandle(),
            SurvivorId = survivor,
            IsAnonymous = anonymous,
            Source = CaseSource.App,
            Type = type,
            Status = status,
            Priority = priority,
            Severity = priority is Priority.High or Priority.Critical ? Severity.High : Severity.Medium,
            IncidentDate = DateOnly.FromDateTime(created.UtcDateTime.AddHours(-10)),
            IncidentTime = new TimeOnly(21, 30),
            Description = description,
            Location = new CaseLocation(-1.3133, 36.7876, null, "Kibera, near the Olympic estate"),
            LocationPrecision = LocationPrecision.Approximate,
            SupportServices = [.. services],
            CreatedAt = created,
            UpdatedAt = created.AddHours(1),
            Version = 3,
        };
        var story = new Story(incident, now);
        tell(story);
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        foreach (var row in story.Rows)
        {
            db.Add(row);
        }

        await db.SaveChangesAsync(ct);
    }

    private static CaseNote Note(string key, Incident incident, Provider author, NoteKind kind, string body, bool shared) => new()
    {
        Id = KintaraaDemoData.DemoId("note", key),
        IncidentId = incident.Id,
        AuthorId = author.UserId,
        AuthorRole = ParticipantRole.Provider,
        ProviderId = author.Id,
        AuthorProviderType = author.ProviderType,
        Kind = kind,
        Body = body,
        SharedWithSurvivor = shared,
        CreatedAt = incident.CreatedAt.AddHours(6),
    };
}
