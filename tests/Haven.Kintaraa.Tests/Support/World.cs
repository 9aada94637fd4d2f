using System.Net.Http.Json;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Support;

public sealed record SurvivorHandle(HttpClient Client, TestUser User);

public sealed record ProviderHandle(HttpClient Client, TestUser User, Guid Id, ProviderType Type, string Organisation);

/// <summary>
/// Intent methods for one test's world: survivors, providers placed around the test's own <see cref="Area"/>, an
/// admin, and reports — all made through the real API as the apps and portals do.
/// </summary>
public sealed class World(HavenTestApp app)
{
    private static int _providers;
    private HttpClient? _admin;

    public HavenTestApp App { get; } = app;

    public Area Area { get; } = Area.Next();

    public async Task<SurvivorHandle> SurvivorAsync()
    {
        var (client, user) = await App.SignedInClientAsync(KintaraaRolesForTests.Survivor);
        return new SurvivorHandle(client, user);
    }

    public async Task<HttpClient> AdminAsync()
    {
        _admin ??= (await App.SignedInClientAsync(KintaraaRolesForTests.Admin)).Client;
        return _admin;
    }

    /// <summary>A provider with a profile in this area (km north of its centre), verified unless told otherwise, in office hours.</summary>
    public async Task<ProviderHandle> ProviderAsync(
        ProviderType type, double kmNorth = 1, int capacity = 10, bool verified = true, bool available = true, bool onCall = false,
        List<WorkingPeriodDto>? hours = null, string? organisation = null)
    {
        var n = Interlocked.Increment(ref _providers);
        var user = await App.CreateUserAsync(KintaraaRolesForTests.Provider, providerType: SnakeEnum<ProviderType>.Name(type));
        var client = await App.ClientForAsync(user);
        var (lat, lon) = Area.At(kmNorth);
        organisation ??= $"{type} centre {n}";
        var response = await client.PutAsJsonAsync("/api/kintaraa/providers/me", new ProviderProfileRequest(
            null, $"Provider {n}", organisation, ["gbv"], ["support"], "+254700000" + (n % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
            null, lat, lon, "Africa/Nairobi", hours, available, onCall, capacity), HttpAssertions.Json);
        var profile = await response.ShouldBeOkAsync<ProviderProfile>(201);
        if (verified)
        {
            await (await (await AdminAsync()).Post($"/api/kintaraa/providers/{profile.Id}/verify")).ShouldBeOkAsync<ProviderProfile>();
        }

        return new ProviderHandle(client, user, profile.Id, type, organisation);
    }

    public ReportIncidentRequest Report(
        IReadOnlyList<SupportService> services, IReadOnlyList<SupportService>? consented = null, Priority? priority = null, bool anonymous = false,
        double kmNorth = 0, IncidentType type = IncidentType.Physical, Guid? id = null, string? description = "He hit me again last night.")
    {
        var (lat, lon) = Area.At(kmNorth);
        return new ReportIncidentRequest(id, type, priority, Severity.Medium, new DateOnly(2026, 11, 23), new TimeOnly(22, 15), description,
            new LocationInput(lat, lon, "Plot 12, Riverside Drive", "behind the market"), LocationPrecision.Exact,
            [.. services], [.. consented ?? services], anonymous);
    }

    public async Task<IncidentDetail> ReportAsync(SurvivorHandle survivor, params SupportService[] services) =>
        await ReportAsync(survivor, Report(services));

    public async Task<IncidentDetail> ReportAsync(SurvivorHandle survivor, ReportIncidentRequest request)
    {
        var response = await survivor.Client.Post("/api/kintaraa/incidents", request);
        return await response.ShouldBeOkAsync<IncidentDetail>(201);
    }

    public static async Task<IncidentDetail> DetailAsync(HttpClient client, Guid id) =>
        await (await client.Get($"/api/kintaraa/incidents/{id}")).ShouldBeOkAsync<IncidentDetail>();

    /// <summary>The live referral of a case offered to or held by this provider.</summary>
    public static async Task<ReferralView> OfferAsync(ProviderHandle provider, Guid incidentId)
    {
        var detail = await DetailAsync(provider.Client, incidentId);
        return detail.Referrals.Single(r => r.Provider?.Id == provider.Id && r.Status is ReferralStatus.Pending or ReferralStatus.Accepted);
    }

    public static async Task<ReferralView> AcceptAsync(ProviderHandle provider, Guid incidentId)
    {
        var offer = await OfferAsync(provider, incidentId);
        return await (await provider.Client.Post($"/api/kintaraa/referrals/{offer.Id}/accept")).ShouldBeOkAsync<ReferralView>();
    }
}

public static class KintaraaRolesForTests
{
    public const string Survivor = "kintaraa.survivor";
    public const string Provider = "kintaraa.provider";
    public const string Admin = "kintaraa.admin";
    public const string PlatformAdmin = "platform.admin";
}
