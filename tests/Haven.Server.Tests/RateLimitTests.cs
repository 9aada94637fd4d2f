using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task An_address_over_its_limit_gets_429_with_retry_after()
    {
        await using var app = await HavenTestApp.StartAsync(o => o.Settings["Haven:Web:RateLimitPerAddressPerMinute"] = "5");
        var client = app.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            (await client.GetAsync("/", TestContext.Current.CancellationToken)).IsSuccessStatusCode.Should().BeTrue();
        }

        var refused = await client.GetAsync("/", TestContext.Current.CancellationToken);

        await refused.ShouldBeProblemAsync(429, "rate_limited");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single());
        retryAfter.Should().BeInRange(1, 60);
    }

    [Fact]
    public async Task Health_probes_are_never_limited()
    {
        await using var app = await HavenTestApp.StartAsync(o => o.Settings["Haven:Web:RateLimitPerAddressPerMinute"] = "2");
        var client = app.CreateClient();

        for (var i = 0; i < 10; i++)
        {
            (await client.GetAsync("/health/live", TestContext.Current.CancellationToken)).IsSuccessStatusCode.Should().BeTrue();
        }
    }
}
