using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class HealthTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    [Fact]
    public async Task Live_answers_200_without_touching_dependencies()
    {
        var response = await fixture.App.CreateClient().GetAsync("/health/live", TestContext.Current.CancellationToken);

        var body = await response.ShouldBeJsonAsync();
        body["status"]!.GetValue<string>().Should().Be("healthy");
        body["checks"]!.AsObject().Should().BeEmpty();
    }

    [Fact]
    public async Task Ready_checks_the_database()
    {
        var response = await fixture.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken);

        var body = await response.ShouldBeJsonAsync();
        body["checks"]!["database"]!.GetValue<string>().Should().Be("healthy");
    }

    [Fact]
    public async Task Ready_answers_503_when_the_database_is_gone()
    {
        await using var app = await HavenTestApp.StartAsync(o =>
        {
            o.Settings["ConnectionStrings:Haven"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=1";
            o.Settings["Haven:Database:MigrateOnStartup"] = "false";
        });

        var response = await app.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken);

        var body = await response.ShouldBeJsonAsync(503);
        body["checks"]!["database"]!.GetValue<string>().Should().Be("unhealthy");
        body.ToJsonString().Should().NotContain("Password", "a probe must not learn connection details");
    }
}
