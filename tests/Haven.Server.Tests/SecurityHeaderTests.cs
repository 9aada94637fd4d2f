using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class SecurityHeaderTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/health/live")]
    [InlineData("/no/such/place")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var response = await fixture.App.CreateClient().GetAsync(path, TestContext.Current.CancellationToken);

        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        csp.Should().Contain("frame-ancestors 'none'").And.Contain("script-src 'self'").And.NotContain("unsafe-inline");
        response.Headers.Contains("Server").Should().BeFalse("the server does not advertise itself");
    }

    [Fact]
    public async Task Development_does_not_send_hsts()
    {
        var response = await fixture.App.CreateClient().GetAsync("/health/live", TestContext.Current.CancellationToken);

        response.Headers.Contains("Strict-Transport-Security").Should().BeFalse();
    }
}
