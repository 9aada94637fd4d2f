using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using Haven.Platform.Web;
using Haven.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Server.Tests;

/// <summary>Probe endpoints exercise the platform's error conventions the way any module endpoint would meet them.</summary>
public sealed class ErrorResponseFixture : HavenAppFixture
{
    public const string Secret = "probe-secret-value-7d1f";

    protected override void Configure(HavenTestAppOptions options)
    {
        options.Settings["Haven:Web:MaxRequestBodyBytes"] = "4096";
        // Validation metadata is generated per assembly: endpoints defined here need this assembly's AddValidation call.
        options.Services = services => services.AddValidation();
        options.Endpoints = endpoints =>
        {
            var probes = endpoints.MapGroup("/probe").AllowAnonymous("test probe");
            probes.MapPost("/echo", (ProbeRequest request) => TypedResults.Ok(request));
            probes.MapGet("/crash", IResult () => throw new InvalidOperationException("internal detail " + Secret));
            probes.MapGet("/conflict", () => Errors.Conflict("probe_conflict", "The probe is in the wrong state.").ToProblem());
            probes.MapPost("/rules", (ProbeRequest request) =>
                new FieldErrors().When(request.Name == "taken", "name", "This name is taken.").AsError()?.ToProblem() ?? (IResult)TypedResults.NoContent());
        };
    }
}

public sealed record ProbeRequest([property: Required, StringLength(20)] string Name, [property: Range(1, 10)] int Level, [property: Range(0, 5)] int MaxRetries = 0);

public sealed class ErrorResponseTests(ErrorResponseFixture fixture) : IClassFixture<ErrorResponseFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClient();

    [Fact]
    public async Task Unknown_route_answers_problem_json_404()
    {
        var response = await _client.GetAsync("/no/such/place", TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(404, "not_found");
        problem["instance"]!.GetValue<string>().Should().Be("/no/such/place");
    }

    [Fact]
    public async Task Unknown_route_is_404_even_when_the_client_accepts_only_html()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/place");
        request.Headers.Accept.ParseAdd("text/html");

        var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task Wrong_method_answers_problem_json_405()
    {
        var response = await _client.DeleteAsync("/probe/echo", TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(405, "method_not_allowed");
    }

    [Fact]
    public async Task Wrong_content_type_answers_problem_json_415()
    {
        var response = await _client.PostAsync("/probe/echo", new StringContent("name=x", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(415, "unsupported_media_type");
    }

    [Fact]
    public async Task Body_over_the_limit_answers_problem_json_413()
    {
        var big = "{\"name\":\"" + new string('x', 10_000) + "\",\"level\":1}";

        var response = await _client.PostAsync("/probe/echo", new StringContent(big, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(413, "payload_too_large");
    }

    [Fact]
    public async Task Validation_lists_each_failing_field()
    {
        var response = await _client.PostJsonAsync("/probe/echo", new { name = new string('x', 30), level = 99, max_retries = 9 });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        var errors = problem["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo(["name", "level", "max_retries"], "fields are named as the client's snake_case JSON names them");
    }

    [Fact]
    public async Task Malformed_json_names_the_field_without_type_names()
    {
        var response = await _client.PostAsync("/probe/echo", new StringContent("{\"name\":\"a\",\"level\":\"high\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(400, "invalid_json");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Equal("level");
        problem.ToJsonString().Should().NotContain("Haven.").And.NotContain("System.");
    }

    [Fact]
    public async Task Rule_errors_returned_as_values_become_field_errors()
    {
        var response = await _client.PostJsonAsync("/probe/rules", new { name = "taken", level = 1 });

        var problem = await response.ShouldBeProblemAsync(400, "validation_failed");
        problem["errors"]!["name"]![0]!.GetValue<string>().Should().Be("This name is taken.");
    }

    [Fact]
    public async Task Expected_failures_keep_their_own_code()
    {
        var response = await _client.GetAsync("/probe/conflict", TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(409, "probe_conflict");
    }

    [Fact]
    public async Task Crash_answers_500_without_internals_and_is_logged_with_request_context()
    {
        var response = await _client.GetAsync("/probe/crash", TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(500, "internal_error");
        problem.ToJsonString().Should().NotContain(ErrorResponseFixture.Secret).And.NotContain("InvalidOperationException");
        var logged = fixture.App.Logs.Lines.Should().Contain(l => l.Contains("Unhandled exception for GET /probe/crash")).Which;
        logged.Should().Contain("RequestId=").And.Contain("InvalidOperationException");
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
    }
}
