using Haven.Platform.Web;
using Haven.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Server.Tests;

/// <summary>Deny by default, enforced: every endpoint of the composed application names a policy or says why it is open.</summary>
public sealed class EndpointPolicyTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    [Fact]
    public void Every_endpoint_names_a_policy_or_an_anonymous_reason()
    {
        var endpoints = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var undeclared = endpoints.Where(e => !Declares(e)).Select(Describe).ToList();

        endpoints.Should().Contain(e => e.RoutePattern.RawText == "/api/auth/login", "the identity endpoints are part of the composed app");
        undeclared.Should().BeEmpty("every endpoint must call RequireAuthorization(policy) or AllowAnonymous(reason)");
    }

    [Fact]
    public void Anonymous_endpoints_carry_their_reason_in_the_metadata()
    {
        var login = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == "/api/auth/login");

        login.Metadata.GetMetadata<AnonymousReason>()!.Reason.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task An_endpoint_that_declares_nothing_is_caught()
    {
        await using var app = await HavenTestApp.StartAsync(o => o.Endpoints = e => e.MapGet("/probe/undeclared", () => "hi"));

        var probe = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Single(e => e.RoutePattern.RawText == "/probe/undeclared");

        Declares(probe).Should().BeFalse();
    }

    private static bool Declares(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return metadata.GetMetadata<AnonymousReason>() is { Reason.Length: > 0 } || metadata.GetMetadata<AnonymousBecauseAttribute>() is { Reason.Length: > 0 };
        }

        return metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles))
            || metadata.GetOrderedMetadata<AuthorizationPolicy>().Any();
    }

    private static string Describe(RouteEndpoint endpoint) =>
        $"{string.Join(",", endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])} {endpoint.RoutePattern.RawText} ({endpoint.DisplayName})";
}
