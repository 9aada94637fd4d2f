using System.Security.Claims;
using System.Text.Encodings.Web;
using Haven.Platform.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Testing;

/// <summary>
/// TEST-ONLY stand-in for identity's access tokens, until identity is merged: a principal built exactly as identity
/// will build it (claims <c>sub</c>, <c>sid</c>, one <c>role</c> per grant, <c>module.role[@tenant]</c>) but read from
/// the <see cref="Header"/> request header. Never registered by the application: a test opts in with
/// <c>o.Services = s => s.AddTestAuthentication()</c>. Replace with real tokens once login exists.
/// </summary>
public static class TestAuthentication
{
    public const string Scheme = "HavenTestOnly";
    public const string Header = "X-Haven-Test-Principal";

    public static IServiceCollection AddTestAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultAuthenticateScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
                o.DefaultForbidScheme = Scheme;
            })
            .AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
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
            var value = Request.Headers[Header].ToString();
            if (value.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim>();
            foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = part.IndexOf('=');
                claims.Add(new Claim(part[..equals], part[(equals + 1)..]));
            }

            var identity = new ClaimsIdentity(claims, TestAuthentication.Scheme, HavenClaims.UserId, HavenClaims.Role);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), TestAuthentication.Scheme)));
        }
    }
}

/// <summary>TEST-ONLY: who a test request claims to be (see <see cref="TestAuthentication"/>).</summary>
public sealed record TestPrincipal(Guid UserId, Guid SessionId, IReadOnlyList<string> Roles)
{
    /// <summary>A new user with these role grants, e.g. <c>TestPrincipal.With("platform.admin")</c> or <c>$"kintaraa.admin@{tenant}"</c>.</summary>
    public static TestPrincipal With(params string[] roles) => new(Guid.NewGuid(), Guid.NewGuid(), roles);

    public string HeaderValue =>
        string.Join("; ", new[] { $"{HavenClaims.UserId}={UserId}", $"{HavenClaims.SessionId}={SessionId}" }.Concat(Roles.Select(r => $"{HavenClaims.Role}={r}")));
}
