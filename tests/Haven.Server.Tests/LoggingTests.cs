using System.Text;
using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class LoggingFixture : HavenAppFixture
{
    protected override void Configure(HavenTestAppOptions options)
    {
        // Even with framework logging turned all the way up, secrets must stay out.
        options.Settings["Logging:LogLevel:Default"] = "Trace";
        options.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        options.Settings["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace";
    }
}

public sealed class LoggingTests(LoggingFixture fixture) : IClassFixture<LoggingFixture>
{
    [Fact]
    public async Task Every_request_is_logged_once_with_its_request_id_and_path_only()
    {
        await fixture.App.CreateClient().GetAsync("/health/live?probe=visible-marker-51", TestContext.Current.CancellationToken);

        var line = fixture.App.Logs.Lines.Should().ContainSingle(l => l.Contains("Haven.Request") && l.Contains("GET /health/live answered 200")).Which;
        line.Should().Contain("RequestId=").And.NotContain("visible-marker-51");
    }

    [Fact]
    public async Task Tokens_in_query_strings_never_reach_a_log_line()
    {
        const string token = "query-token-5a1e9c";

        await fixture.App.CreateClient().GetAsync($"/hubs/anything?access_token={token}", TestContext.Current.CancellationToken);
        await fixture.App.CreateClient().GetAsync($"/no/such?access_token={token}", TestContext.Current.CancellationToken);

        fixture.App.Logs.All.Should().NotContain(token);
    }

    [Fact]
    public async Task Request_bodies_and_authorization_headers_never_reach_a_log_line()
    {
        const string password = "body-password-91c3";
        const string bearer = "header-bearer-77f0";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = new StringContent($"{{\"email\":\"a@b.example\",\"password\":\"{password}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", bearer);

        await fixture.App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        fixture.App.Logs.All.Should().NotContain(password).And.NotContain(bearer);
    }
}
