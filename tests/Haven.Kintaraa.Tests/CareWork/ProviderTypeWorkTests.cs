using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa.Tests.CareWork;

public sealed class ProviderTypeWorkTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    private async Task<(SurvivorHandle Survivor, Dictionary<ProviderType, ProviderHandle> Team, IncidentDetail Incident)> TeamCaseAsync()
    {
        var team = new Dictionary<ProviderType, ProviderHandle>
        {
            [ProviderType.Counseling] = await World.ProviderAsync(ProviderType.Counseling),
            [ProviderType.Police] = await World.ProviderAsync(ProviderType.Police),
            [ProviderType.Legal] = await World.ProviderAsync(ProviderType.Legal),
            [ProviderType.Healthcare] = await World.ProviderAsync(ProviderType.Healthcare),
        };
        var survivor = await World.SurvivorAsync();
        var incident = await World.ReportAsync(survivor, SupportService.Counseling, SupportService.Police, SupportService.Legal, SupportService.Medical);
        foreach (var provider in team.Values)
        {
            await World.AcceptAsync(provider, incident.Id);
        }

        return (survivor, team, incident);
    }

    [Fact]
    public async Task A_counselors_session_notes_are_never_shown_to_police_or_legal()
    {
        var (survivor, team, incident) = await TeamCaseAsync();
        var url = $"/api/kintaraa/incidents/{incident.Id}/notes";
        await (await team[ProviderType.Counseling].Client.Post(url, new CreateNoteRequest(null, NoteKind.Session, "Disclosed childhood abuse; PTSD screening positive."))).ShouldBeOkAsync<NoteView>(201);
        await (await team[ProviderType.Police].Client.Post(url, new CreateNoteRequest(null, NoteKind.Investigation, "Statement recorded, OB 45/11/2026."))).ShouldBeOkAsync<NoteView>(201);
        await (await team[ProviderType.Healthcare].Client.Post(url, new CreateNoteRequest(null, NoteKind.General, "Next check-up in two weeks.", SharedWithSurvivor: true))).ShouldBeOkAsync<NoteView>(201);

        async Task<IEnumerable<NoteKind>> KindsFor(HttpClient client) =>
            (await (await client.Get(url)).ShouldBeOkAsync<List<NoteView>>()).Select(n => n.Kind);

        (await KindsFor(team[ProviderType.Police].Client)).Should().BeEquivalentTo([NoteKind.Investigation, NoteKind.General]);
        (await KindsFor(team[ProviderType.Legal].Client)).Should().BeEquivalentTo([NoteKind.Investigation, NoteKind.General]);
        (await KindsFor(team[ProviderType.Counseling].Client)).Should().BeEquivalentTo([NoteKind.Session, NoteKind.General]);
        (await KindsFor(team[ProviderType.Healthcare].Client)).Should().BeEquivalentTo([NoteKind.General]);
        (await KindsFor(survivor.Client)).Should().BeEquivalentTo([NoteKind.General], "the survivor reads only what was shared with them");
        (await KindsFor(await World.AdminAsync())).Should().HaveCount(3);
    }

    [Fact]
    public async Task Each_profession_writes_only_its_own_kinds_of_note()
    {
        var (survivor, team, incident) = await TeamCaseAsync();
        var url = $"/api/kintaraa/incidents/{incident.Id}/notes";

        await (await team[ProviderType.Police].Client.Post(url, new CreateNoteRequest(null, NoteKind.Session, "x"))).ShouldBeProblemAsync(400, "validation_failed");
        await (await team[ProviderType.Counseling].Client.Post(url, new CreateNoteRequest(null, NoteKind.Medical, "x"))).ShouldBeProblemAsync(400, "validation_failed");
        await (await survivor.Client.Post(url, new CreateNoteRequest(null, NoteKind.General, "x"))).ShouldBeProblemAsync(403, "forbidden");
        (await (await (await World.AdminAsync()).Get(url)).ShouldBeOkAsync<List<NoteView>>()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_lawyer_sets_a_court_date_and_a_counselor_a_session_and_everyone_on_the_case_sees_them()
    {
        var (survivor, team, incident) = await TeamCaseAsync();
        var url = $"/api/kintaraa/incidents/{incident.Id}/appointments";
        var hearing = await (await team[ProviderType.Legal].Client.Post(url, new CreateAppointmentRequest(null, AppointmentKind.CourtDate, "Mention at Kibera Law Courts",
            KintaraaFixture.Baseline.AddDays(3), null, "Court 4"))).ShouldBeOkAsync<AppointmentView>(201);
        await (await team[ProviderType.Counseling].Client.Post(url, new CreateAppointmentRequest(null, AppointmentKind.Session, "Second session",
            KintaraaFixture.Baseline.AddDays(1), KintaraaFixture.Baseline.AddDays(1).AddHours(1), null))).ShouldBeOkAsync<AppointmentView>(201);

        await (await team[ProviderType.Police].Client.Post(url, new CreateAppointmentRequest(null, AppointmentKind.CourtDate, "x", KintaraaFixture.Baseline.AddDays(2), null, null)))
            .ShouldBeProblemAsync(400, "validation_failed");
        await (await team[ProviderType.Legal].Client.Post(url, new CreateAppointmentRequest(null, AppointmentKind.CourtDate, "x", KintaraaFixture.Baseline.AddDays(-1), null, null)))
            .ShouldBeProblemAsync(400, "validation_failed");

        var seen = await (await survivor.Client.Get(url)).ShouldBeOkAsync<List<AppointmentView>>();
        seen.Select(a => a.Title).Should().Equal("Second session", "Mention at Kibera Law Courts");
        hearing.Provider.Organisation.Should().Be(team[ProviderType.Legal].Organisation);
        var chat = await (await survivor.Client.Get($"/api/kintaraa/incidents/{incident.Id}/messages")).ShouldBeOkAsync<Conversation>();
        chat.Items.Should().Contain(m => m.Kind == MessageKind.System && m.Body.StartsWith("Court date scheduled: Mention at Kibera Law Courts, Fri 27 Nov 2026 10:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reminders_go_out_once_at_each_lead_time_and_start_over_when_the_date_moves()
    {
        var (survivor, team, incident) = await TeamCaseAsync();
        var lawyer = team[ProviderType.Legal];
        var hearing = await (await lawyer.Client.Post($"/api/kintaraa/incidents/{incident.Id}/appointments",
            new CreateAppointmentRequest(null, AppointmentKind.CourtDate, "Hearing", KintaraaFixture.Baseline.AddHours(30), null, null))).ShouldBeOkAsync<AppointmentView>(201);
        var dayBefore = $"Court date in 1 day ({incident.CaseNumber})";
        var hourBefore = $"Court date in 1 hour ({incident.CaseNumber})";

        await RunRemindersAsync();
        (await NotificationTitlesAsync(survivor.User)).Should().NotContain(dayBefore, "30 hours ahead nothing is due yet");
        Clock.Advance(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(1));
        await RunRemindersAsync();
        await RunRemindersAsync();
        (await NotificationTitlesAsync(survivor.User)).Count(t => t == dayBefore).Should().Be(1, "the day-before reminder goes out once, however often the job runs");
        (await NotificationTitlesAsync(lawyer.User)).Should().Contain(dayBefore);
        Clock.Advance(TimeSpan.FromHours(23));
        await RunRemindersAsync();
        (await NotificationTitlesAsync(survivor.User)).Should().Contain(hourBefore);

        var client = await App.ClientForAsync(lawyer.User);
        var moved = await (await client.Put($"/api/kintaraa/appointments/{hearing.Id}",
            new UpdateAppointmentRequest(hearing.Version, null, KintaraaFixture.Baseline.AddDays(10), null, null, null))).ShouldBeOkAsync<AppointmentView>();
        moved.StartsAt.Should().Be(KintaraaFixture.Baseline.AddDays(10));
        (await RemindersFor(hearing.Id)).Should().BeNull("a new date starts the reminders over");
    }

    private async Task<List<string>> NotificationTitlesAsync(TestUser user)
    {
        var client = await App.ClientForAsync(user);
        var page = await (await client.Get("/api/notifications?page_size=100")).ShouldBeJsonAsync();
        return [.. page["items"]!.AsArray().Select(n => n!["title"]!.GetValue<string>())];
    }

    [Fact]
    public async Task Only_the_appointments_provider_or_an_admin_changes_it()
    {
        var (survivor, team, incident) = await TeamCaseAsync();
        var session = await (await team[ProviderType.Counseling].Client.Post($"/api/kintaraa/incidents/{incident.Id}/appointments",
            new CreateAppointmentRequest(null, AppointmentKind.Session, "Session", KintaraaFixture.Baseline.AddDays(2), null, null))).ShouldBeOkAsync<AppointmentView>(201);

        await (await team[ProviderType.Police].Client.Put($"/api/kintaraa/appointments/{session.Id}", new UpdateAppointmentRequest(session.Version, null, null, null, null, AppointmentStatus.Cancelled)))
            .ShouldBeProblemAsync(404, "not_found");
        await (await survivor.Client.Put($"/api/kintaraa/appointments/{session.Id}", new UpdateAppointmentRequest(session.Version, null, null, null, null, AppointmentStatus.Cancelled)))
            .ShouldBeProblemAsync(403, "forbidden");
        var cancelled = await (await (await World.AdminAsync()).Put($"/api/kintaraa/appointments/{session.Id}", new UpdateAppointmentRequest(session.Version, null, null, null, null, AppointmentStatus.Cancelled)))
            .ShouldBeOkAsync<AppointmentView>();
        cancelled.Status.Should().Be(AppointmentStatus.Cancelled);
        await (await team[ProviderType.Counseling].Client.Put($"/api/kintaraa/appointments/{session.Id}", new UpdateAppointmentRequest(session.Version, "Renamed", null, null, null, null)))
            .ShouldBeProblemAsync(409, "version_conflict");
    }

    private Task<int> RunRemindersAsync() => App.InScopeAsync(sp => sp.GetRequiredService<AppointmentReminders>().RunOnceAsync(CancellationToken.None));

    private Task<int?> RemindersFor(Guid appointmentId) => App.InScopeAsync(sp =>
        sp.GetRequiredService<KintaraaDbContext>().Appointments.Where(a => a.Id == appointmentId).Select(a => a.LastReminderMinutes).SingleAsync());
}
