using System.Net;
using System.Security.Cryptography;
using Haven.Platform.Security;
using Haven.Server.Hosting;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Server.Tests;

public sealed class ProductionConfigurationTests
{
    private static readonly string RealKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Production_refuses_to_start_with_a_missing_key_and_names_it()
    {
        var start = () => HavenTestApp.StartAsync(o =>
        {
            o.Environment = "Production";
            o.Services = s => s.AddHavenKey("probe-key", "signs probes");
        });

        var refusal = await start.Should().ThrowAsync<UnsafeConfigurationException>();
        refusal.Which.Message.Should().Contain("Haven:Keys:probe-key").And.Contain("signs probes");
    }

    [Fact]
    public async Task Production_refuses_a_development_key()
    {
        var start = () => HavenTestApp.StartAsync(o =>
        {
            o.Environment = "Production";
            o.Settings["Haven:Keys:probe-key:Current"] = "dev-1";
            o.Settings["Haven:Keys:probe-key:Versions:dev-1"] = RealKey;
            o.Services = s => s.AddHavenKey("probe-key", "signs probes");
        });

        var refusal = await start.Should().ThrowAsync<UnsafeConfigurationException>();
        refusal.Which.Problems.Should().ContainSingle(p => p.Contains("probe-key") && p.Contains("development key"));
    }

    [Fact]
    public async Task Production_refuses_a_short_key()
    {
        var start = () => HavenTestApp.StartAsync(o =>
        {
            o.Environment = "Production";
            o.Settings["Haven:Keys:probe-key:Current"] = "2026-11";
            o.Settings["Haven:Keys:probe-key:Versions:2026-11"] = Convert.ToBase64String(new byte[16]);
            o.Services = s => s.AddHavenKey("probe-key", "signs probes");
        });

        var refusal = await start.Should().ThrowAsync<UnsafeConfigurationException>();
        refusal.Which.Problems.Should().Contain(p => p.Contains("Versions:2026-11") && p.Contains("32 bytes"));
    }

    [Fact]
    public async Task Production_with_real_keys_starts_and_sends_hsts_behind_a_tls_proxy()
    {
        await using var app = await HavenTestApp.StartAsync(o =>
        {
            o.Environment = "Production";
            o.GeneratedKeys = true;
            o.Settings["Haven:Keys:probe-key:Current"] = "2026-11";
            o.Settings["Haven:Keys:probe-key:Versions:2026-11"] = RealKey;
            o.Settings["Haven:Web:KnownProxies:0"] = "127.0.0.1";
            o.Services = s => s.AddHavenKey("probe-key", "signs probes");
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        // HSTS is never sent for loopback host names; a real deployment has a real one.
        request.Headers.Host = "haven.example";

        var response = await app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Strict-Transport-Security").Single().Should().Contain("max-age=31536000");
    }

    [Fact]
    public async Task Development_derives_missing_keys_from_the_local_master_key()
    {
        await using var app = await HavenTestApp.StartAsync(o => o.Services = s => s.AddHavenKey("probe-key", "signs probes"));

        var ring = app.Services.GetRequiredService<KeyStore>().Get("probe-key");

        ring.Current.IsDevelopmentKey.Should().BeTrue();
        ring.Current.Material.Should().HaveCount(32);
    }
}
