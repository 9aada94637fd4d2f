using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Testing;

/// <summary>A user made by <see cref="IdentityTestExtensions.CreateUserAsync"/>: what a test needs to sign in as them.</summary>
public sealed class TestUser
{
    private long _lastStep;

    public required Guid Id { get; init; }

    public required string Email { get; init; }

    public required string Password { get; init; }

    public required string Role { get; init; }

    public Guid? TenantId { get; init; }

    /// <summary>The TOTP secret of a staff user (every role but survivor and candidate gets one); null otherwise.</summary>
    public byte[]? MfaSecret { get; init; }

    /// <summary>A TOTP code the server has not seen yet for this user (codes are single use), at the app's time.</summary>
    public string NextTotpCode(TimeProvider clock)
    {
        var secret = MfaSecret ?? throw new InvalidOperationException($"{Email} has no second factor.");
        var now = clock.GetUtcNow();
        var current = Totp.StepAt(now);
        // A code for the previous step is accepted only until the current step ends; a login slowed down by a loaded
        // machine can outlive that, so near the end of a step start from the current one.
        var secondsLeft = Totp.StepSeconds - (now.ToUnixTimeSeconds() % Totp.StepSeconds);
        var step = Math.Max(secondsLeft > 10 ? current - 1 : current, Interlocked.Read(ref _lastStep) + 1);
        if (step > current + 1)
        {
            throw new InvalidOperationException(
                $"{Email} signed in more than three times within one 30-second step; advance the test clock or reuse the first tokens.");
        }

        Interlocked.Exchange(ref _lastStep, step);
        return Totp.Code(secret, step);
    }
}

/// <summary>Tokens from a sign-in through the real API.</summary>
public sealed record TestTokens(string AccessToken, string RefreshToken, Guid SessionId);

/// <summary>
/// Intent methods for tests: create tenants and users with any role, sign them in through the real API (computing TOTP
/// codes for staff), get a signed-in client in one line.
/// <code>
/// var (client, user) = await app.SignedInClientAsync(HavenRoles.Lers.Io, station.Id);
/// </code>
/// </summary>
public static class IdentityTestExtensions
{
    private static readonly ConditionalWeakTable<HavenTestApp, ConcurrentDictionary<string, Task<(TestUser User, TestTokens Tokens)>>> Cached = [];

    public static Task<Tenant> CreateTenantAsync(this HavenTestApp app, string module, string? kind = null, string? name = null) =>
        app.InScopeAsync(sp => sp.GetRequiredService<IUserProvisioning>().EnsureTenantAsync(
            module, kind ?? DefaultKind(module), name ?? $"{module} tenant {Guid.NewGuid():N}"[..40], CancellationToken.None));

    /// <summary>
    /// A new user holding <paramref name="role"/> (in <paramref name="tenantId"/> when given). Staff roles get a TOTP
    /// secret, as policy requires; a <c>kintaraa.provider</c> gets <paramref name="providerType"/> (default healthcare).
    /// </summary>
    public static async Task<TestUser> CreateUserAsync(this HavenTestApp app, string role, Guid? tenantId = null, string? providerType = null, bool? withMfa = null)
    {
        var email = $"user-{Guid.NewGuid():N}@test.haven";
        var password = $"Correct horse {Guid.NewGuid():N}";
        var secret = withMfa ?? HavenRoles.RequiresMfa(role) ? Totp.NewSecret() : null;
        providerType ??= role == HavenRoles.Kintaraa.Provider ? ProviderTypes.Healthcare : null;
        var spec = new UserSpec(email, password, "Test " + role, [new RoleGrantSpec(role, tenantId, providerType)])
        {
            MfaSecret = secret is null ? null : Base32.Encode(secret),
        };
        var user = await app.InScopeAsync(sp => sp.GetRequiredService<IUserProvisioning>().EnsureUserAsync(spec, CancellationToken.None));
        return new TestUser { Id = user.Id, Email = email, Password = password, Role = role, TenantId = tenantId, MfaSecret = secret };
    }

    /// <summary>Signs in through <c>/api/auth/login</c> (and <c>/api/auth/login/mfa</c> with a fresh TOTP code for staff).</summary>
    public static async Task<TestTokens> LoginAsync(this HavenTestApp app, TestUser user)
    {
        using var client = app.CreateClient();
        var response = await client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password });
        var body = await response.ShouldBeJsonAsync();
        if (body["status"]!.GetValue<string>() == "mfa_required")
        {
            var code = user.NextTotpCode(app.Services.GetRequiredService<TimeProvider>());
            response = await client.PostJsonAsync("/api/auth/login/mfa", new { mfa_token = body["mfa_token"]!.GetValue<string>(), code });
            body = await response.ShouldBeJsonAsync();
        }

        return Tokens(body);
    }

    /// <summary>A client sending <paramref name="user"/>'s access token.</summary>
    public static async Task<HttpClient> ClientForAsync(this HavenTestApp app, TestUser user) =>
        app.CreateClient((await app.LoginAsync(user)).AccessToken);

    /// <summary>A new user with the role, signed in: the one-liner for endpoint tests.</summary>
    public static async Task<(HttpClient Client, TestUser User)> SignedInClientAsync(this HavenTestApp app, string role, Guid? tenantId = null, string? providerType = null)
    {
        var user = await app.CreateUserAsync(role, tenantId, providerType);
        return (await app.ClientForAsync(user), user);
    }

    /// <summary>
    /// A signed-in user for the role and tenant, created once per app and reused (the authorization matrix calls many
    /// endpoints with the same roles). Do not change its data in a test; create your own user for that.
    /// </summary>
    public static async Task<(TestUser User, TestTokens Tokens)> SharedUserAsync(this HavenTestApp app, string role, Guid? tenantId = null)
    {
        var cache = Cached.GetOrCreateValue(app);
        return await cache.GetOrAdd($"{role}@{tenantId}", async _ =>
        {
            var user = await app.CreateUserAsync(role, tenantId);
            return (user, await app.LoginAsync(user));
        });
    }

    public static void Authorize(this HttpClient client, string accessToken) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

    /// <summary>The tokens of a sign-in or refresh answer.</summary>
    public static TestTokens Tokens(JsonNode body) => new(
        body["access_token"]!.GetValue<string>(), body["refresh_token"]!.GetValue<string>(), Guid.Parse(body["session_id"]!.GetValue<string>()));

    private static string DefaultKind(string module) => module switch
    {
        "lers" => TenantKinds.PoliceStation,
        "kintaraa" => TenantKinds.Ngo,
        "pss" => TenantKinds.TrainingProgramme,
        "ndas" => TenantKinds.Clinic,
        _ => TenantKinds.Platform,
    };
}
