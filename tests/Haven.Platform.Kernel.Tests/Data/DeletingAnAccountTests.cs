using System.Net.Http.Json;
using Haven.Platform.Identity;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Platform.Notifications;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Kernel.Tests.Data;

/// <summary>
/// What the kernel keeps about a person once their account is deleted (an operator erasing it): what existed only for
/// them goes with it, the record of what they did stays.
/// </summary>
public sealed class DeletingAnAccountTests(KernelAppFixture fixture) : IClassFixture<KernelAppFixture>
{
    private KernelApp App => fixture.App;

    [Fact]
    public async Task Their_notifications_devices_and_preferences_go_and_their_audit_entries_and_uploads_stay()
    {
        var (client, user) = await App.NewUserAsync();
        var fileId = await App.UploadOkAsync(client, KernelTestModule.Images, Samples.Jpeg(), "photo.jpg");
        var patientId = await App.CreatePatientAsync(client, "Wanjiru");
        await (await client.PostAsJsonAsync("/api/devices", new { token = $"fcm-{Guid.NewGuid():N}", platform = "android" }, HttpAssertions.Json, TestContext.Current.CancellationToken))
            .ShouldBeJsonAsync(201);
        await (await client.PutAsJsonAsync("/api/notifications/preferences",
            new { items = new[] { new { category = KernelTestModule.Updates, push_enabled = false } } }, HttpAssertions.Json, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        await App.App.Services.GetRequiredService<INotifier>().NotifyAsync(new NotificationRequest(user.Id, KernelTestModule.Updates, "Hello"), TestContext.Current.CancellationToken);

        await App.ExecuteAsync("DELETE FROM platform.users WHERE id = $1", user.Id);

        foreach (var table in new[] { "notifications", "devices", "notification_preferences", "sessions", "role_grants" })
        {
            (await App.ScalarAsync<long>($"SELECT count(*) FROM platform.{table} WHERE user_id = $1", user.Id)).Should().Be(0, "{0} exist only for the user", table);
        }

        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.files WHERE id = $1 AND uploaded_by IS NULL", fileId))
            .Should().Be(1, "the file belongs to the record holding it; only the link to its uploader goes");
        var created = (await App.AuditEntriesAsync("test.patient.created")).Single(e => e.ResourceId == patientId.ToString());
        created.Actor.UserId.Should().Be(user.Id, "the trail keeps who did it after the account is gone");
        (await App.VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task A_role_grant_outlives_the_administrator_who_made_it()
    {
        var (admin, adminUser) = await App.NewUserAsync(HavenRoles.Platform.Admin);
        var (_, grantee) = await App.NewUserAsync();
        var granted = await (await admin.PostAsJsonAsync($"/api/admin/users/{grantee.Id}/roles", new { role = HavenRoles.Lers.Io }, HttpAssertions.Json, TestContext.Current.CancellationToken))
            .ShouldBeJsonAsync(201);
        var grantId = granted["id"]!.GetValue<Guid>();
        (await App.ScalarAsync<Guid>("SELECT granted_by FROM platform.role_grants WHERE id = $1", grantId)).Should().Be(adminUser.Id);

        await App.ExecuteAsync("DELETE FROM platform.users WHERE id = $1", adminUser.Id);

        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.role_grants WHERE id = $1 AND granted_by IS NULL", grantId)).Should().Be(1);
    }

    [Fact]
    public async Task Nothing_can_be_kept_for_an_account_that_does_not_exist()
    {
        var nobody = Guid.NewGuid();

        var notify = () => App.App.Services.GetRequiredService<INotifier>().NotifyAsync(new NotificationRequest(nobody, KernelTestModule.Updates, "To nobody"));

        (await notify.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.ForeignKeyViolation);
        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.notifications WHERE user_id = $1", nobody)).Should().Be(0);
    }
}
