using Haven.Platform.Audit;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Audit;

public sealed class ReadingTheAuditTrailTests(KernelAppFixture fixture) : IClassFixture<KernelAppFixture>
{
    private KernelApp App => fixture.App;

    [Fact]
    public async Task Platform_admins_read_every_tenants_entries()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await RecordAsync("kintaraa.case.assigned", first);
        await RecordAsync("lers.request.approved", second);
        var admin = App.AsPlatformAdmin();

        (await App.AuditEntriesAsync(admin)).Select(e => e.TenantId).Should().Contain([first, second]);
        (await Search(admin, $"tenant_id={second}")).Should().ContainSingle().Which.Action.Should().Be("lers.request.approved");
    }

    [Fact]
    public async Task Tenant_admins_read_only_their_tenants_entries()
    {
        var (mine, theirs) = (Guid.NewGuid(), Guid.NewGuid());
        var own = await RecordAsync("kintaraa.case.assigned", mine);
        var other = await RecordAsync("kintaraa.case.assigned", theirs);
        var admin = App.As(TestPrincipal.With($"kintaraa.admin@{mine}"));

        var visible = await App.AuditEntriesAsync(admin);

        visible.Should().NotBeEmpty().And.OnlyContain(e => e.TenantId == mine);
        visible.Select(e => e.Seq).Should().Contain(own);
        var ownEntry = await (await admin.GetAsync($"/api/platform/audit/entries/{own}", TestContext.Current.CancellationToken)).ShouldBeOkAsync<AuditEntryResponse>();
        ownEntry.Seq.Should().Be(own);
        await (await admin.GetAsync($"/api/platform/audit/entries/{other}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
        await (await admin.GetAsync($"/api/platform/audit/entries?tenant_id={theirs}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task Entries_are_found_by_action_prefix_resource_actor_and_time()
    {
        var tenant = Guid.NewGuid();
        var actor = Guid.NewGuid();
        var seq = await RecordAsync("pss.medical_profile.viewed", tenant, resourceId: "profile-9", actor: actor);
        await RecordAsync("pss.journal.created", tenant);
        var admin = App.AsPlatformAdmin();

        (await Search(admin, $"tenant_id={tenant}&action=pss")).Should().HaveCount(2);
        (await Search(admin, $"tenant_id={tenant}&action=pss.medical_profile")).Should().ContainSingle().Which.Seq.Should().Be(seq);
        (await Search(admin, $"tenant_id={tenant}&action=pss.medical")).Should().BeEmpty("a prefix matches whole dotted segments");
        (await Search(admin, "resource_type=medical_profile&resource_id=profile-9")).Should().ContainSingle();
        (await Search(admin, $"actor_id={actor}")).Should().ContainSingle();
        (await Search(admin, $"tenant_id={tenant}&from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z")).Should().BeEmpty();
    }

    [Fact]
    public async Task Paging_beyond_the_limit_is_a_validation_error()
    {
        var response = await App.AsPlatformAdmin().GetAsync("/api/platform/audit/entries?page_size=500", TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!["page_size"].Should().NotBeNull();
    }

    [Theory]
    [InlineData("GET", "/api/platform/audit/entries")]
    [InlineData("GET", "/api/platform/audit/entries/1")]
    [InlineData("POST", "/api/platform/audit/verify")]
    [InlineData("GET", "/api/platform/audit/export")]
    public async Task Anonymous_callers_are_refused(string method, string path)
    {
        var response = await App.App.CreateClient().SendAsync(Request(method, path), TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(401, "unauthenticated");
    }

    public static TheoryData<string, string, string> RefusedRoles() => new()
    {
        { "kintaraa.survivor", "GET", "/api/platform/audit/entries" },
        { "kintaraa.survivor", "GET", "/api/platform/audit/entries/1" },
        { "kintaraa.admin", "GET", "/api/platform/audit/entries" },
        { "lers.approver@3f2504e0-4f89-11d3-9a0c-0305e82c3301", "GET", "/api/platform/audit/entries" },
        { "kintaraa.admin@3f2504e0-4f89-11d3-9a0c-0305e82c3301", "POST", "/api/platform/audit/verify" },
        { "kintaraa.admin@3f2504e0-4f89-11d3-9a0c-0305e82c3301", "GET", "/api/platform/audit/export" },
        { "kintaraa.survivor", "POST", "/api/platform/audit/verify" },
        { "kintaraa.survivor", "GET", "/api/platform/audit/export" },
    };

    [Theory]
    [MemberData(nameof(RefusedRoles))]
    public async Task Roles_without_audit_rights_are_refused(string role, string method, string path)
    {
        var response = await App.As(TestPrincipal.With(role)).SendAsync(Request(method, path), TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(403, "forbidden");
    }

    private async Task<long> RecordAsync(string action, Guid tenant, string? resourceId = null, Guid? actor = null)
    {
        await App.App.InScopeAsync(services => services.GetRequiredService<IAuditTrail>().AppendAsync(
            new AuditEvent(action, action.Split('.')[1], resourceId ?? Guid.NewGuid().ToString())
            {
                TenantId = tenant,
                Actor = actor is null ? AuditActor.System("test.seeder") : new AuditActor(AuditActor.UserType, actor, null, null, []),
            }));
        return (await Search(App.AsPlatformAdmin(), $"tenant_id={tenant}")).Max(e => e.Seq);
    }

    private static async Task<IReadOnlyList<AuditEntryResponse>> Search(HttpClient client, string query) =>
        (await (await client.GetAsync("/api/platform/audit/entries?" + query)).ShouldBeOkAsync<AuditPage>()).Items;

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : null };
}
