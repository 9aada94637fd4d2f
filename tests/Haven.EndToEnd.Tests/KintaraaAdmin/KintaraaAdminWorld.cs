using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.EndToEnd.Tests.KintaraaAdmin;

/// <summary>One app per admin-portal test class.</summary>
public sealed class KintaraaAdminFixture : HavenAppFixture;

public sealed record ProviderAccount(TestUser User, HttpClient Client, Guid Id, string Organisation);

/// <summary>Providers, survivors' reports and queued referrals made through the real API, as the apps and portals make them.</summary>
public static class KintaraaAdminWorld
{
    private static int _count;

    /// <summary>A provider with a profile near Nairobi; verified by a Kintaraa admin when asked.</summary>
    public static async Task<ProviderAccount> ProviderAsync(this HavenTestApp app, string type, bool verified, int capacity = 5)
    {
        var n = Interlocked.Increment(ref _count);
        var user = await app.CreateUserAsync(HavenRoles.Kintaraa.Provider, providerType: type);
        var client = await app.ClientForAsync(user);
        var organisation = $"{type} partner {n} {Guid.NewGuid().ToString("N")[..6]}";
        var profile = await (await client.PutAsJsonAsync("/api/kintaraa/providers/me", new
        {
            display_name = $"Contact {n}", organisation, services = new[] { "support" }, latitude = -1.29, longitude = 36.82,
            time_zone = "Africa/Nairobi", is_available = true, capacity,
        })).ShouldBeJsonAsync(201);
        var id = Guid.Parse(profile["id"]!.GetValue<string>());
        if (verified)
        {
            var (admin, _) = await app.SignedInClientAsync(HavenRoles.Kintaraa.Admin);
            await (await admin.PostJsonAsync($"/api/kintaraa/providers/{id}/verify", new { note = "registration checked" })).ShouldBeJsonAsync();
        }

        return new ProviderAccount(user, client, id, organisation);
    }

    /// <summary>A survivor's report needing <paramref name="service"/>; with no provider of its type able to take it, it waits in the queue.</summary>
    public static async Task<(Guid IncidentId, string CaseNumber)> ReportAsync(this HavenTestApp app, string service)
    {
        var (survivor, _) = await app.SignedInClientAsync(HavenRoles.Kintaraa.Survivor);
        var report = await (await survivor.PostJsonAsync("/api/kintaraa/incidents", new
        {
            type = "physical", priority = "high", description = "He hit me again last night.",
            location = new { latitude = -1.30, longitude = 36.80 }, location_precision = "exact",
            support_services = new[] { service }, consented_services = new[] { service },
        })).ShouldBeJsonAsync(201);
        return (Guid.Parse(report["id"]!.GetValue<string>()), report["case_number"]!.GetValue<string>());
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url) => await (await client.GetAsync(url)).ShouldBeJsonAsync();
}
