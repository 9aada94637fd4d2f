using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Haven.Platform.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Events.Tests.Support;

/// <summary>
/// TEST ONLY — stands in for the identity module until it merges (the lead then switches these tests to real tokens).
/// The "token" is unsigned base64url JSON of the claims a real access token carries (<c>sub</c>, <c>sid</c>,
/// <c>role</c> = <c>module.role[@tenant]</c>), read where real tokens are: the Authorization header, or for paths under
/// /hubs/ the <c>access_token</c> query parameter. Never register this outside tests.
/// </summary>
public static class TestAuthentication
{
    public const string Scheme = "HavenTestOnly";

    public static void Add(IServiceCollection services) =>
        services.AddAuthentication(o =>
        {
            o.DefaultScheme = Scheme;
            o.DefaultChallengeScheme = Scheme;
        }).AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);

    public static string Token(Guid userId, Guid? sessionId = null, params string[] roles) =>
        "test." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new TokenClaims(userId, sessionId ?? Guid.NewGuid(), roles)));

    private sealed record TokenClaims(Guid Sub, Guid Sid, string[] Role);

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? token = null;
            var header = Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                token = header["Bearer ".Length..];
            }
            else if (Request.Path.StartsWithSegments("/hubs") && Request.Query.TryGetValue("access_token", out var query))
            {
                token = query.ToString();
            }

            if (token is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (!token.StartsWith("test.", StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.Fail("not a test token"));
            }

            TokenClaims claims;
            try
            {
                claims = JsonSerializer.Deserialize<TokenClaims>(Base64Url.DecodeFromChars(token.AsSpan(5)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                return Task.FromResult(AuthenticateResult.Fail("malformed test token"));
            }

            var identity = new ClaimsIdentity(
                [
                    new Claim(HavenClaims.UserId, claims.Sub.ToString()),
                    new Claim(HavenClaims.SessionId, claims.Sid.ToString()),
                    .. claims.Role.Select(r => new Claim(HavenClaims.Role, r)),
                ],
                TestAuthentication.Scheme, HavenClaims.UserId, HavenClaims.Role);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), TestAuthentication.Scheme)));
        }
    }
}
