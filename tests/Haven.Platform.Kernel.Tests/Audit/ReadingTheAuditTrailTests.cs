using Haven.Platform.Audit;
using Haven.Platform.Identity;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Audit;

/// <summary>Reading the trail with real accounts and access tokens from identity.</summary>
public sealed class ReadingTheAuditTrailTests(KernelAppFixture fixture) : IClassFixture<KernelAppFixture>
{
    private KernelApp App => fixture.App;

    [Fact]
    public async Task Platform_admins_read_every_tenants_entries()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await RecordAsync("kintaraa.case.assigned", first);
        await RecordAsync("lers.request.approved", second);
        var admin = await App.PlatformAdminAsync();

        (await App.AuditEntriesAsync(admin)).Select(e => e.TenantId).Should().Contain([first, second]);
        (await Search(admin, $"tenant_id={second}")).Should().ContainSingle().Which.Action.Should().Be("lers.request.approved");
    }

    [Fact]
    public async Task Tenant_admins_read_only_their_tenants_entries()
    {
        var mine = await App.App.CreateTenantAsync("kintaraa");
        var theirs = await App.App.CreateTenantAsync("kintaraa");
        var own = await RecordAsync("kintaraa.case.assigned", mine.Id);
        var other = await RecordAsync("kintaraa.case.assigned", theirs.Id);
        var (admin, _) = await App.App.SignedInClientAsync(HavenRoles.Kintaraa.Admin, mine.Id);

        var visible = await App.AuditEntriesAsync(admin);

        visible.Should().NotBeEmpty().And.OnlyContain(e => e.TenantId == mine.Id);
        visible.Select(e => e.Seq).Should().Contain(own);
        var ownEntry = await (await admin.GetAsync($"/api/platform/audit/entries/{own}", TestContext.Current.CancellationToken)).ShouldBeOkAsync<AuditEntryResponse>();
        ownEntry.Seq.Should().Be(own);
        await (await admin.GetAsync($"/api/platform/audit/entries/{other}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
        await (await admin.GetAsync($"/api/platform/audit/entries?tenant_id={theirs.Id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task A_module_wide_admin_reads_every_tenant_of_the_module_and_nothing_else()
    {
        var tenant = Guid.NewGuid();
        var profile = await RecordAsync("pss.profile.updated", tenant);
        var lers = await RecordAsync("lers.request.approved", Guid.NewGuid());
        var (admin, _) = await App.App.SignedInClientAsync(HavenRoles.Pss.Superuser);

        var visible = await App.AuditEntriesAsync(admin);

        visible.Should().NotBeEmpty().And.OnlyContain(e => e.Action.StartsWith("pss.", StringComparison.Ordinal));
        visible.Select(e => e.Seq).Should().Contain(profile).And.NotContain(lers);
        await (await admin.GetAsync($"/api/platform/audit/entries/{lers}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task Entries_are_found_by_action_prefix_resource_actor_and_time()
    {
        var tenant = Guid.NewGuid();
        var actor = Guid.NewGuid();
        var seq = await RecordAsync("pss.medical_profile.viewed", tenant, resourceId: "profile-9", actor: actor);
        await RecordAsync("pss.journal.created", tenant);
        var admin = await App.PlatformAdminAsync();

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
        var response = await (await App.PlatformAdminAsync()).GetAsync("/api/platform/audit/entries?page_size=500", TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!["page_size"].Should().NotBeNull();
    }

    [Theory]
    [InlineData("/api/platform/audit/entries")]
    [InlineData("/api/platform/audit/entries/1")]
    public async Task Reading_is_refused_to_anonymous_callers_and_to_roles_that_administer_nobody(string path)
    {
        await App.App.AuthorizationMatrix(HttpMethod.Get, path)
            .Anonymous()
            .AllRolesExcept([.. HavenRoles.UserAdmins])
            .AssertAsync();
    }

    [Fact]
    public async Task Verifying_the_chain_is_for_platform_admins_and_whole_module_admins_only()
    {
        var tenant = await App.App.CreateTenantAsync("kintaraa");

        await App.App.AuthorizationMatrix(HttpMethod.Post, "/api/platform/audit/verify", new { })
            .Anonymous()
            .AllRolesExcept([.. HavenRoles.UserAdmins])
            .Role(HavenRoles.Kintaraa.Admin, tenant.Id)
            .AssertAsync();
        var (moduleAdmin, _) = await App.App.SignedInClientAsync(HavenRoles.Kintaraa.Admin);
        var verified = await (await moduleAdmin.PostJsonAsync("/api/platform/audit/verify", new { })).ShouldBeJsonAsync();
        verified["intact"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Exporting_the_chain_is_for_platform_admins_only()
    {
        var tenant = await App.App.CreateTenantAsync("kintaraa");

        await App.App.AuthorizationMatrix(HttpMethod.Get, "/api/platform/audit/export")
            .Anonymous()
            .AllRolesExcept(HavenRoles.Platform.Admin)
            .Role(HavenRoles.Kintaraa.Admin, tenant.Id)
            .AssertAsync();
    }

    private async Task<long> RecordAsync(string action, Guid tenant, string? resourceId = null, Guid? actor = null)
    {
        await App.App.InScopeAsync(services => services.GetRequiredService<IAuditTrail>().AppendAsync(
            new AuditEvent(action, action.Split('.')[1], resourceId ?? Guid.NewGuid().ToString())
            {
                TenantId = tenant,
                Actor = actor is null ? AuditActor.System("test.seeder") : new AuditActor(AuditActor.UserType, actor, null, null, []),
            }));
        return (await Search(await App.PlatformAdminAsync(), $"tenant_id={tenant}")).Max(e => e.Seq);
    }

    private static async Task<IReadOnlyList<AuditEntryResponse>> Search(HttpClient client, string query) =>
        (await (await client.GetAsync("/api/platform/audit/entries?" + query)).ShouldBeOkAsync<AuditPage>()).Items;
}
