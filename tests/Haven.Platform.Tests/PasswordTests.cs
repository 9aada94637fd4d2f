using System.Diagnostics;
using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Passwords;
using Haven.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Tests;

public sealed class PasswordTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private async Task<string> StoredHashAsync(Guid userId)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT password_hash FROM platform.users WHERE id = $1", connection);
        read.Parameters.Add(new() { Value = userId });
        return (string)(await read.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Passwords_are_hashed_with_pbkdf2_sha512_at_210000_iterations()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);

        var hash = Convert.FromBase64String(await StoredHashAsync(user.Id));

        hash[0].Should().Be(0x01, "Identity V3 format");
        ((hash[1] << 24) | (hash[2] << 16) | (hash[3] << 8) | hash[4]).Should().Be(2, "PRF 2 is HMAC-SHA512");
        PasswordHashFormat.IterationsOf(await StoredHashAsync(user.Id)).Should().Be(210_000);
    }

    [Fact]
    public async Task A_hash_made_at_a_lower_count_is_upgraded_at_the_next_sign_in()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        var old = new PasswordHasher<HavenUser>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(new HavenUser(), user.Password);
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var write = new NpgsqlCommand("UPDATE platform.users SET password_hash = $1 WHERE id = $2", connection);
            write.Parameters.Add(new() { Value = old });
            write.Parameters.Add(new() { Value = user.Id });
            await write.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        PasswordHashFormat.IterationsOf(await StoredHashAsync(user.Id)).Should().Be(100_000);
        await App.LoginAsync(user);

        PasswordHashFormat.IterationsOf(await StoredHashAsync(user.Id)).Should().Be(210_000);
        await App.LoginAsync(user);
    }

    [Fact]
    public async Task Changing_the_password_ends_the_other_sessions_but_not_this_one()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var here = await App.LoginAsync(user);
        var elsewhere = await App.LoginAsync(user);

        var change = await App.CreateClient(here.AccessToken).PostJsonAsync("/api/auth/password/change", new { current_password = user.Password, new_password = "granite orchid falcon 19" });

        change.StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        (await App.CreateClient(here.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await (await App.CreateClient(elsewhere.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "session_revoked");
        await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password })).ShouldBeProblemAsync(401, "invalid_credentials");
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var client = await App.ClientForAsync(user);

        var problem = await (await client.PostJsonAsync("/api/auth/password/change", new { current_password = "not it at all", new_password = "granite orchid falcon 19" }))
            .ShouldBeProblemAsync(400, "validation_failed");

        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain("current_password");
    }

    [Fact]
    public void The_bundled_list_holds_the_common_passwords()
    {
        CommonPasswords.Count.Should().BeGreaterThan(40_000);
        CommonPasswords.Contains("password").Should().BeTrue();
        CommonPasswords.Contains("Password1234!").Should().BeTrue();
        CommonPasswords.Contains("qwertyuiopasdfgh").Should().BeFalse();
        CommonPasswords.Contains("copper kettle dances north").Should().BeFalse();
    }
}

/// <summary>Nothing in the answer or its timing tells an unknown account from a wrong password.</summary>
public sealed class NoEnumerationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private async Task<(int Status, JsonObject Body, double Ms)> LoginAsync(string email, string password)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await App.CreateClient().PostJsonAsync("/api/auth/login", new { email, password });
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        body.Remove("traceId");
        return ((int)response.StatusCode, body, elapsed);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_account_answer_identically()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);

        var wrong = await LoginAsync(user.Email, "not the password at all");
        var unknown = await LoginAsync($"nobody-{Guid.NewGuid():N}@test.haven", "not the password at all");

        wrong.Status.Should().Be(401);
        unknown.Status.Should().Be(wrong.Status);
        unknown.Body.ToJsonString().Should().Be(wrong.Body.ToJsonString());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_account_take_similar_time()
    {
        var wrong = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            // Fresh accounts so the lockout never short-cuts the check.
            var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
            wrong.Add((await LoginAsync(user.Email, "not the password at all")).Ms);
            unknown.Add((await LoginAsync($"nobody-{Guid.NewGuid():N}@test.haven", "not the password at all")).Ms);
        }

        var (w, u) = (Median(wrong), Median(unknown));
        (Math.Max(w, u) / Math.Min(w, u)).Should().BeLessThan(3, "wrong password took {0:0} ms and unknown account {1:0} ms (medians)", w, u);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
