using System.Net.Http.Json;
using System.Net;
using Haven.Platform.Audit;
using Haven.Platform.Identity;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Audit;

public sealed class RecordingAuditEntriesTests
{
    [Fact]
    public async Task A_change_is_recorded_with_who_when_where_what_why_and_how()
    {
        var clock = new TestClock(new DateTimeOffset(2026, 11, 21, 9, 30, 15, TimeSpan.Zero).AddTicks(1234567));
        await using var app = await KernelApp.StartAsync(o => o.Clock = clock);
        var clinic = await app.App.CreateTenantAsync("ndas");
        var clerk = await app.App.CreateUserAsync(HavenRoles.Ndas.Clinician, clinic.Id);
        var tokens = await app.App.LoginAsync(clerk);
        var client = app.App.CreateClient(tokens.AccessToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("HavenMobile/2.1");
        var id = await app.CreatePatientAsync(client, "Amina", diagnosis: "PTSD", idNumber: "A123456", notes: "prefers female staff");

        var response = await client.PutAsync($"/test/patients/{id}", JsonContent(new { status = "closed", diagnosis = "recovered", notes = "moved" }), TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);

        var updated = (await app.AuditEntriesAsync("test.patient.updated")).Single();
        updated.Actor.Type.Should().Be("user");
        updated.Actor.UserId.Should().Be(clerk.Id);
        updated.Actor.SessionId.Should().Be(tokens.SessionId);
        updated.Actor.Roles.Should().BeEquivalentTo($"{HavenRoles.Ndas.Clinician}@{clinic.Id}");
        updated.TenantId.Should().BeNull("the caller holds no role in the action's module ('test'), so there is no tenant to default to");
        updated.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 21, 9, 30, 15, TimeSpan.Zero).AddTicks(1234560), "time is kept to the microsecond");
        updated.ClientAddress.Should().Be("127.0.0.1");
        updated.UserAgent.Should().Be("HavenMobile/2.1");
        updated.RequestId.Should().NotBeNullOrEmpty();
        updated.ResourceType.Should().Be("patient");
        updated.ResourceId.Should().Be(id.ToString());
        updated.Note.Should().Be("corrected at the patient's request");
        updated.Changes.Should().BeEquivalentTo(new[]
        {
            new AuditChangeResponse("status", "open", "closed", false),
            new AuditChangeResponse("notes", null, null, true),
            new AuditChangeResponse("diagnosis", null, null, true),
        }, o => o.WithoutStrictOrdering());
    }

    [Fact]
    public async Task The_tenant_defaults_to_the_callers_tenant_in_the_actions_module()
    {
        await using var app = await KernelApp.StartAsync();
        var clinic = await app.App.CreateTenantAsync("ndas");
        var (clinician, _) = await app.NewUserAsync(HavenRoles.Ndas.Clinician, clinic.Id);

        (await clinician.PostAsync("/test/actions/ndas.record.viewed", null, TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await clinician.PostAsync("/test/actions/lers.request.viewed", null, TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await app.AuditEntriesAsync("ndas.record.viewed")).Single().TenantId.Should().Be(clinic.Id);
        (await app.AuditEntriesAsync("lers.request.viewed")).Single().TenantId.Should().BeNull("the caller holds no LERS role");
    }

    [Fact]
    public async Task Sensitive_values_never_reach_the_trail()
    {
        await using var app = await KernelApp.StartAsync();
        var client = await app.ClerkAsync();
        await app.CreatePatientAsync(client, "Baraka", diagnosis: "HIV positive", idNumber: "ZX-998877", notes: "lives with her aunt");

        var created = (await app.AuditEntriesAsync("test.patient.created")).Single();

        created.Changes.Should().Contain(new AuditChangeResponse("name", null, "Baraka", false));
        created.Changes.Where(c => c.Field is "diagnosis" or "id_number" or "notes").Should().OnlyContain(c => c.Redacted && c.Old == null && c.New == null)
            .And.HaveCount(3);
        var stored = await app.ScalarAsync<string>("SELECT string_agg(changes::text, ' ') FROM platform.audit_entries");
        stored.Should().NotContain("HIV").And.NotContain("998877").And.NotContain("aunt");
    }

    [Fact]
    public async Task A_rolled_back_change_leaves_no_entry_and_no_gap()
    {
        await using var app = await KernelApp.StartAsync();
        var client = await app.ClerkAsync();
        var id = await app.CreatePatientAsync(client, "Chiku");

        var failed = await client.PutAsync($"/test/patients/{id}?fail=true", JsonContent(new { status = "closed" }), TestContext.Current.CancellationToken);
        await failed.ShouldBeProblemAsync(409, "simulated_failure");
        var succeeded = await client.PutAsync($"/test/patients/{id}", JsonContent(new { status = "archived" }), TestContext.Current.CancellationToken);
        succeeded.StatusCode.Should().Be(HttpStatusCode.NoContent);

        var updates = await app.AuditEntriesAsync("test.patient.updated");
        updates.Should().ContainSingle().Which.Changes.Single().New.Should().Be("archived");
        var view = await client.GetFromJsonAsync<KernelTestModule.PatientView>($"/test/patients/{id}", HttpAssertions.Json, TestContext.Current.CancellationToken);
        view!.Status.Should().Be("archived", "the failed change was rolled back with its entry");
        var all = await app.AuditEntriesAsync();
        all.Select(e => e.Seq).Order().Should().Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), "numbers have no gaps");
    }

    [Fact]
    public async Task An_abandoned_transactions_entry_never_rides_along_with_a_later_one_on_the_same_connection()
    {
        await using var app = await KernelApp.StartAsync();

        await app.App.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<KernelTestDbContext>();
            var audit = services.GetRequiredService<IAuditTrail>();
            await db.Database.OpenConnectionAsync();
            await using (var abandoned = await db.Database.BeginTransactionAsync())
            {
                await audit.AppendAsync(db, new AuditEvent("test.patient.created", "patient", "abandoned"));
            }

            await using var committed = await db.Database.BeginTransactionAsync();
            await audit.AppendAsync(db, new AuditEvent("test.patient.created", "patient", "committed"));
            await committed.CommitAsync();
        });

        (await app.AuditEntriesAsync("test.patient.created")).Should().ContainSingle().Which.ResourceId.Should().Be("committed");
    }

    [Fact]
    public async Task A_sensitive_read_is_recorded()
    {
        await using var app = await KernelApp.StartAsync();
        var (reader, readerUser) = await app.NewUserAsync();
        var id = await app.CreatePatientAsync(await app.ClerkAsync(), "Dalia", diagnosis: "asthma");

        await reader.GetStringAsync($"/test/patients/{id}", TestContext.Current.CancellationToken);

        var viewed = (await app.AuditEntriesAsync("test.patient.viewed")).Single();
        viewed.Actor.UserId.Should().Be(readerUser.Id);
        viewed.ResourceId.Should().Be(id.ToString());
        viewed.Changes.Should().BeEmpty();
    }

    [Fact]
    public async Task Background_work_names_itself_and_anonymous_callers_are_recorded_as_such()
    {
        await using var app = await KernelApp.StartAsync();

        await app.App.InScopeAsync(async services =>
        {
            var audit = services.GetRequiredService<IAuditTrail>();
            await audit.AppendAsync(new AuditEvent("test.sla.breached", "request", "R-1") { Actor = AuditActor.System("test.sla_monitor") });
            await audit.AppendAsync(new AuditEvent("test.report.received", "report", "anon-7"));
        });

        var entries = await app.AuditEntriesAsync("test");
        var system = entries.Single(e => e.Action == "test.sla.breached");
        system.Actor.Should().BeEquivalentTo(new AuditActorResponse("system", null, null, "test.sla_monitor", []));
        system.ClientAddress.Should().BeNull("there was no request");
        entries.Single(e => e.Action == "test.report.received").Actor.Type.Should().Be("anonymous");
    }

    [Fact]
    public async Task Appending_beside_unsaved_changes_without_a_transaction_is_refused()
    {
        await using var app = await KernelApp.StartAsync();

        var act = () => app.App.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<KernelTestDbContext>();
            db.Patients.Add(new Patient { Id = Guid.NewGuid(), Name = "Eshe", Status = "open" });
            await services.GetRequiredService<IAuditTrail>().AppendAsync(db, new AuditEvent("test.patient.created", "patient", "x"));
        });

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*SaveChangesAsync*");
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries")).Should().Be(0);
    }

    [Fact]
    public void Actions_must_be_dotted_lower_case_with_the_module_first()
    {
        var act = () => new AuditEvent("Patient Updated", "patient", "1");

        act.Should().Throw<ArgumentException>();
        new AuditEvent("pss.medical_profile.viewed", "medical_profile", "1").Module.Should().Be("pss");
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");
}
