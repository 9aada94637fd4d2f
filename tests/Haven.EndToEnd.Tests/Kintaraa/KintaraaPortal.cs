using System.Net.Http.Json;
using Haven.Platform.Identity;
using Haven.Testing;
using Haven.Testing.Realtime;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.Kintaraa;

/// <summary>One app and one Node process of real SignalR clients (the survivor's app) per browser test class.</summary>
public sealed class KintaraaPortalFixture : HavenAppFixture, IAsyncLifetime
{
    private RealtimeClients? _clients;

    public RealtimeClients Clients => _clients ?? throw new InvalidOperationException("not started");

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _clients = await RealtimeClients.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

public static class PortalSessions
{
    /// <summary>Hands a browser the portal cookies of tokens already issued (staff may sign in only so often per TOTP step).</summary>
    public static Task UseTokensAsync(this BrowserSession session, HavenTestApp app, TestTokens tokens)
    {
        var url = app.BaseAddress.ToString();
        return session.Context.AddCookiesAsync(
        [
            new Cookie { Name = PortalSignIn.AccessCookie, Value = tokens.AccessToken, Url = url, HttpOnly = true, SameSite = SameSiteAttribute.Strict },
            new Cookie { Name = PortalSignIn.RefreshCookie, Value = tokens.RefreshToken, Url = url, HttpOnly = true, SameSite = SameSiteAttribute.Strict },
        ]);
    }
}

public sealed record PortalProvider(TestUser User, HttpClient Client, Guid Id, string Type);

public sealed record PortalSurvivor(TestUser User, HttpClient Client, string AccessToken);

/// <summary>
/// Intent methods for a provider-portal test's world, all through the real API: providers with verified profiles around
/// the test's own patch of the map (far from every other test's, so routing never crosses tests), survivors and reports.
/// </summary>
public sealed class KintaraaWorld(HavenTestApp app)
{
    private static int _areas;
    private HttpClient? _admin;

    public HavenTestApp App { get; } = app;

    /// <summary>The centre of this test's area: cells of 4° (about 440 km), well beyond the 100 km routing reach.</summary>
    public (double Latitude, double Longitude) Centre { get; } = NextArea();

    public async Task<HttpClient> AdminAsync() =>
        _admin ??= await App.ClientForAsync(await App.CreateUserAsync(HavenRoles.Kintaraa.Admin));

    /// <summary>A verified provider of <paramref name="type"/> a kilometre from the centre, available around the clock.</summary>
    public async Task<PortalProvider> ProviderAsync(string type, string organisation)
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Provider, providerType: type);
        var client = await App.ClientForAsync(user);
        var hours = Enum.GetValues<DayOfWeek>().Select(d => new { day = d.ToString().ToLowerInvariant(), start = "00:00:00", end = "00:00:00" }).ToArray();
        var profile = await (await client.PutAsJsonAsync("/api/kintaraa/providers/me", new
        {
            display_name = $"{organisation} desk", organisation, phone = "+254700000100", latitude = Centre.Latitude + 0.009, longitude = Centre.Longitude,
            time_zone = "Africa/Nairobi", working_hours = hours, is_available = true, on_call = true, capacity = 10,
        }, HttpAssertions.Json)).ShouldBeJsonAsync(201);
        var id = Guid.Parse(profile["id"]!.GetValue<string>());
        await (await (await AdminAsync()).PostJsonAsync($"/api/kintaraa/providers/{id}/verify", new { note = "checked" })).ShouldBeJsonAsync();
        return new PortalProvider(user, client, id, type);
    }

    public async Task<PortalSurvivor> SurvivorAsync()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        var tokens = await App.LoginAsync(user);
        return new PortalSurvivor(user, App.CreateClient(tokens.AccessToken), tokens.AccessToken);
    }

        /// <summary>An anonymous report from the centre asking for <paramref name="services"/> (all consented); returns the case id.</summary>
    public Task<Guid> ReportAsync(PortalSurvivor survivor, params string[] services) => ReportWithPriorityAsync(survivor, "high", services);

    public async Task<Guid> ReportWithPriorityAsync(PortalSurvivor survivor, string priority, params string[] services)
    {
        var body = await (await survivor.Client.PostJsonAsync("/api/kintaraa/incidents", new
        {
            id = Guid.NewGuid(), type = "physical", priority, severity = "medium", description = "He hit me again last night.",
            location = new { latitude = Centre.Latitude, longitude = Centre.Longitude, address = "Plot 12, Riverside Drive" },
            location_precision = "approximate", support_services = services, consented_services = services, is_anonymous = true,
        })).ShouldBeJsonAsync(201);
        return Guid.Parse(body["id"]!.GetValue<string>());
    }

    /// <summary>The provider accepts their referral of the case through the API.</summary>
    public static async Task AcceptAsync(PortalProvider provider, Guid incidentId)
    {
        var detail = await (await provider.Client.GetAsync($"/api/kintaraa/incidents/{incidentId}")).ShouldBeJsonAsync();
        var referral = detail["referrals"]!.AsArray().Single(r => r!["status"]!.GetValue<string>() == "pending")!;
        await (await provider.Client.PostJsonAsync($"/api/kintaraa/referrals/{referral["id"]!.GetValue<string>()}/accept", new { })).ShouldBeJsonAsync();
    }

    private static (double, double) NextArea()
    {
        var n = Interlocked.Increment(ref _areas);
        return (-28 + (n / 80 % 14 * 4), -160 + (n % 80 * 4));
    }
}
