using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed class RegisteringTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private static string NewEmail() => $"new-{Guid.NewGuid():N}@test.haven";

    private Task<HttpResponseMessage> RegisterAsync(string module, string role, string? email = null, string password = "violet meadow lantern 42") =>
        App.CreateClient().PostJsonAsync("/api/auth/register/", new { module, role, email = email ?? NewEmail(), password, display_name = "New Person" });

    [Theory]
    [InlineData("kintaraa", "survivor")]
    [InlineData("pss", "candidate")]
    [InlineData("pss", "pss.candidate")]
    public async Task Survivors_and_candidates_register_themselves_and_are_signed_in(string module, string role)
    {
        var body = await (await RegisterAsync(module, role)).ShouldBeJsonAsync(201);

        var me = await (await App.CreateClient(body["access_token"]!.GetValue<string>()).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        me["roles"]![0]!["role"]!.GetValue<string>().Should().Be(role.Contains('.') ? role : $"{module}.{role}");
    }

    [Theory]
    [InlineData("kintaraa", "provider")]
    [InlineData("kintaraa", "admin")]
    [InlineData("lers", "io")]
    [InlineData("lers", "super_admin")]
    [InlineData("pss", "admin")]
    [InlineData("ndas", "clinician")]
    [InlineData("platform", "admin")]
    [InlineData("kintaraa", "pss.candidate")]
    [InlineData("pss", "survivor")]
    public async Task Staff_roles_cannot_be_self_registered(string module, string role)
    {
        var email = NewEmail();

        await (await RegisterAsync(module, role, email)).ShouldBeProblemAsync(403, "registration_not_allowed");

        await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email, password = "violet meadow lantern 42" }))
            .ShouldBeProblemAsync(401, "invalid_credentials");
    }

    [Fact]
    public async Task An_email_registers_once()
    {
        var email = NewEmail();
        await (await RegisterAsync("kintaraa", "survivor", email)).ShouldBeJsonAsync(201);

        await (await RegisterAsync("pss", "candidate", email.ToUpperInvariant())).ShouldBeProblemAsync(409, "email_taken");
    }

    [Theory]
    [InlineData("short pass", "at least 12")]
    [InlineData("password1234", "too common")]
    [InlineData("qwertyuiop123", "too common")]
    [InlineData("Sunshine2024!!", "too common")]
    public async Task Weak_passwords_are_refused_with_a_reason(string password, string reason)
    {
        var problem = await (await RegisterAsync("kintaraa", "survivor", password: password)).ShouldBeProblemAsync(400, "validation_failed");

        string.Join(" ", problem["errors"]!["password"]!.AsArray().Select(m => m!.GetValue<string>())).Should().Contain(reason);
    }

    [Fact]
    public async Task A_password_containing_the_email_is_refused()
    {
        var problem = await (await RegisterAsync("kintaraa", "survivor", "marguerite@test.haven", "marguerite-is-me-2026")).ShouldBeProblemAsync(400, "validation_failed");

        problem["errors"]!["password"]!.ToJsonString().Should().Contain("email");
    }

    [Fact]
    public async Task A_long_unusual_passphrase_is_accepted()
    {
        await (await RegisterAsync("kintaraa", "survivor", password: "copper kettle dances north")).ShouldBeJsonAsync(201);
    }
}

public sealed class AnonymousSurvivorTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private static (string Id, string Secret) NewDevice() => ($"device-{Guid.NewGuid():N}", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

    [Fact]
    public async Task A_device_registers_without_email_and_signs_in_again_with_its_credential()
    {
        var (id, secret) = NewDevice();
        var registered = await (await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = id, device_secret = secret })).ShouldBeJsonAsync(201);
        var me = await (await App.CreateClient(registered["access_token"]!.GetValue<string>()).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        me["is_anonymous"]!.GetValue<bool>().Should().BeTrue();
        me["email"].Should().BeNull();
        me["roles"]![0]!["role"]!.GetValue<string>().Should().Be(HavenRoles.Kintaraa.Survivor);

        var again = await (await App.CreateClient().PostJsonAsync("/api/auth/device/login", new { device_id = id, device_secret = secret })).ShouldBeJsonAsync();

        again["status"]!.GetValue<string>().Should().Be("ok");
    }

    [Fact]
    public async Task A_wrong_device_secret_is_refused()
    {
        var (id, secret) = NewDevice();
        await (await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = id, device_secret = secret })).ShouldBeJsonAsync(201);

        var response = await App.CreateClient().PostJsonAsync("/api/auth/device/login", new { device_id = id, device_secret = NewDevice().Secret });

        await response.ShouldBeProblemAsync(401, "invalid_credentials");
    }

    [Fact]
    public async Task A_device_registers_once()
    {
        var (id, secret) = NewDevice();
        await (await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = id, device_secret = secret })).ShouldBeJsonAsync(201);

        await (await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = id, device_secret = NewDevice().Secret }))
            .ShouldBeProblemAsync(409, "device_taken");
    }

    [Fact]
    public async Task A_short_device_secret_is_refused()
    {
        var response = await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = NewDevice().Id, device_secret = "too-short" });

        (await response.ShouldBeProblemAsync(400, "validation_failed"))["errors"]!.AsObject().Select(e => e.Key).Should().Contain("device_secret");
    }

    [Fact]
    public async Task Upgrading_keeps_the_same_user_and_adds_an_email_login()
    {
        var (id, secret) = NewDevice();
        var registered = await (await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = id, device_secret = secret })).ShouldBeJsonAsync(201);
        var client = App.CreateClient(registered["access_token"]!.GetValue<string>());
        var before = (await (await client.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["id"]!.GetValue<string>();
        var email = $"named-{Guid.NewGuid():N}@test.haven";

        (await client.PostJsonAsync("/api/auth/upgrade", new { email, password = "amber harbour quietly 7" })).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        var login = await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email, password = "amber harbour quietly 7" })).ShouldBeJsonAsync();
        var after = await (await App.CreateClient(login["access_token"]!.GetValue<string>()).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        after["id"]!.GetValue<string>().Should().Be(before);
        after["is_anonymous"]!.GetValue<bool>().Should().BeFalse();
        await (await client.PostJsonAsync("/api/auth/upgrade", new { email = "other-" + email, password = "amber harbour quietly 8" }))
            .ShouldBeProblemAsync(409, "not_anonymous");
    }

    [Fact]
    public async Task Upgrading_to_a_taken_email_changes_nothing()
    {
        var existing = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var (id, secret) = NewDevice();
        var registered = await (await App.CreateClient().PostJsonAsync("/api/auth/device/register", new { device_id = id, device_secret = secret })).ShouldBeJsonAsync(201);
        var client = App.CreateClient(registered["access_token"]!.GetValue<string>());

        await (await client.PostJsonAsync("/api/auth/upgrade", new { email = existing.Email, password = "amber harbour quietly 7" })).ShouldBeProblemAsync(409, "email_taken");

        (await (await client.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["is_anonymous"]!.GetValue<bool>().Should().BeTrue();
    }
}
