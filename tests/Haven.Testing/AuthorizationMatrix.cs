using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using FluentAssertions.Execution;
using Haven.Platform.Identity;

namespace Haven.Testing;

/// <summary>
/// Calls one endpoint as each given caller and asserts each is refused as expected: 401 anonymous, 403 for a role the
/// endpoint does not admit, 404 for a caller who may not know the record exists (another tenant's or user's).
/// Failures are collected, so one run lists every hole.
/// <code>
/// await app.AuthorizationMatrix(HttpMethod.Get, $"/api/lers/requests/{id}")
///     .Anonymous()
///     .AllRolesExcept(HavenRoles.Lers.Io, HavenRoles.Lers.Approver)
///     .Role(HavenRoles.Lers.Io, otherStation.Id, expect: 404)
///     .AssertAsync();
/// </code>
/// </summary>
public sealed class AuthorizationMatrix(HavenTestApp app, HttpMethod method, string path, object? body)
{
    private readonly List<(string Caller, Func<Task<string?>> Token, int Status)> _cases = [];

    public AuthorizationMatrix Anonymous(int expect = 401)
    {
        _cases.Add(("anonymous", () => Task.FromResult<string?>(null), expect));
        return this;
    }

    /// <summary>A (shared, cached) user holding <paramref name="role"/>, in <paramref name="tenantId"/> when given.</summary>
    public AuthorizationMatrix Role(string role, Guid? tenantId = null, int expect = 403)
    {
        _cases.Add(($"{role}{(tenantId is null ? "" : "@" + tenantId)}", async () => (await app.SharedUserAsync(role, tenantId)).Tokens.AccessToken, expect));
        return this;
    }

    /// <summary>A specific user (e.g. the owner's neighbour in the same role, expecting 404).</summary>
    public AuthorizationMatrix User(TestUser user, int expect, string? label = null)
    {
        _cases.Add((label ?? $"{user.Role} {user.Email}", async () => (await app.LoginAsync(user)).AccessToken, expect));
        return this;
    }

    /// <summary>Every known role except <paramref name="allowed"/>, each expecting 403.</summary>
    public AuthorizationMatrix AllRolesExcept(params string[] allowed)
    {
        foreach (var role in HavenRoles.All.Except(allowed))
        {
            Role(role);
        }

        return this;
    }

    public async Task AssertAsync()
    {
        using var scope = new AssertionScope();
        foreach (var (caller, token, status) in _cases)
        {
            using var client = app.CreateClient(await token());
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, options: HttpAssertions.Json);
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).Should().Be(status, "{0} calling {1} {2} must be refused; the body was: {3}", caller, method, path, text);
            response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", "refusals are problem details ({0})", caller);
            if (text.Length > 0 && JsonNode.Parse(text) is JsonObject problem)
            {
                problem["code"].Should().NotBeNull("every refusal names a code ({0})", caller);
            }
        }
    }
}

public static class AuthorizationMatrixExtensions
{
    public static AuthorizationMatrix AuthorizationMatrix(this HavenTestApp app, HttpMethod method, string path, object? body = null) =>
        new(app, method, path, body);
}
