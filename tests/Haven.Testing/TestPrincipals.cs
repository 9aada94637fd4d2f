using System.Security.Claims;
using System.Text.Encodings.Web;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Testing;

/// <summary>
/// TEST-ONLY principals for roles identity does not issue: a stand-in module's <c>test.*</c> roles (the kernel tests
/// exercise the kernel as a module would, without fake tables or roles in real modules). The principal is built the
/// way identity builds it (claims <c>sub</c>, <c>sid</c>, one <c>role</c> per grant <c>module.role[@tenant]</c>) from
/// the <see cref="Header"/> request header. Requests without the header authenticate with identity's real access
/// tokens as usual. Opt in with <c>o.Services = s => s.AddTestPrincipals()</c>; never registered by the application.
/// </summary>
public static class TestPrincipals
{
    public const string Scheme = "HavenTestPrincipal";
    public const string Header = "X-Haven-Test-Principal";
    private const string HeaderOrToken = "HavenTestPrincipalOrToken";

    public static IServiceCollection AddTestPrincipals(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null)
            .AddPolicyScheme(HeaderOrToken, null, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(Header) ? Scheme : HavenAuthenticationHandler.SchemeName);
        services.PostConfigure<AuthenticationOptions>(o =>
        {
            o.DefaultScheme = HeaderOrToken;
            o.DefaultAuthenticateScheme = HeaderOrToken;
            o.DefaultChallengeScheme = HeaderOrToken;
            o.DefaultForbidScheme = HeaderOrToken;
        });
        return services;
    }

    /// <summary>A client whose every request carries <paramref name="principal"/>.</summary>
    public static HttpClient CreateClient(this HavenTestApp app, TestPrincipal principal)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(Header, principal.HeaderValue);
        return client;
    }

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var claims = new List<Claim>();
            foreach (var part in Request.Headers[Header].ToString().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = part.IndexOf('=');
                claims.Add(new Claim(part[..equals], part[(equals + 1)..]));
            }

            var identity = new ClaimsIdentity(claims, TestPrincipals.Scheme, HavenClaims.UserId, HavenClaims.Role);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), TestPrincipals.Scheme)));
        }
    }
}

/// <summary>TEST-ONLY: who a test request claims to be (see <see cref="TestPrincipals"/>).</summary>
public sealed record TestPrincipal(Guid UserId, Guid SessionId, IReadOnlyList<string> Roles)
{
    /// <summary>A new user with these role grants, e.g. <c>TestPrincipal.With($"test.clerk@{tenant}")</c>.</summary>
    public static TestPrincipal With(params string[] roles) => new(Guid.NewGuid(), Guid.NewGuid(), roles);

    public string HeaderValue =>
        string.Join("; ", new[] { $"{HavenClaims.UserId}={UserId}", $"{HavenClaims.SessionId}={SessionId}" }.Concat(Roles.Select(r => $"{HavenClaims.Role}={r}")));
}
