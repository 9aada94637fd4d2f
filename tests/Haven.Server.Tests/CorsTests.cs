using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class CorsFixture : HavenAppFixture
{
    protected override void Configure(HavenTestAppOptions options) =>
        options.Settings["Haven:Web:CorsOrigins:0"] = "https://pss-frontend.example";
}

public sealed class CorsTests(CorsFixture fixture) : IClassFixture<CorsFixture>
{
    [Fact]
    public async Task An_allowed_origin_may_call_the_api_from_a_browser()
    {
        var response = await Preflight("https://pss-frontend.example");

        response.Headers.GetValues("Access-Control-Allow-Origin").Single().Should().Be("https://pss-frontend.example");
    }

    [Fact]
    public async Task Any_other_origin_gets_no_cors_grant()
    {
        var response = await Preflight("https://evil.example");

        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    private Task<HttpResponseMessage> Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/auth/login");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return fixture.App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
    }
}
