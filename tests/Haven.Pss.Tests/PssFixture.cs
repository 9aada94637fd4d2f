using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Platform.Tenancy;
using Haven.Testing;
using Npgsql;

namespace Haven.Pss.Tests;

/// <summary>One app per test class on a hand-moved clock (journal dates and the statistics cache depend on "today").</summary>
public class PssFixture : HavenAppFixture
{
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));

    public DateOnly Today => DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);

    protected override void Configure(HavenTestAppOptions options) => options.Clock = Clock;
}

/// <summary>Intent methods for PSS tests: programmes, signed-in candidates and staff, journal entries, raw SQL.</summary>
public static class PssTestExtensions
{
    public static Task<Tenant> CreateProgrammeAsync(this HavenTestApp app) => app.CreateTenantAsync("pss", TenantKinds.TrainingProgramme);

    public static async Task<(HttpClient Client, TestUser User)> CandidateAsync(this HavenTestApp app, Guid? programmeId) =>
        await app.SignedInClientAsync(HavenRoles.Pss.Candidate, programmeId);

    public static async Task<(HttpClient Client, TestUser User)> AdminAsync(this HavenTestApp app, Guid programmeId) =>
        await app.SignedInClientAsync(HavenRoles.Pss.Admin, programmeId);

    public static async Task<(HttpClient Client, TestUser User)> SuperuserAsync(this HavenTestApp app) =>
        await app.SignedInClientAsync(HavenRoles.Pss.Superuser);

    public static async Task<JsonNode> WriteEntryAsync(
        this HttpClient candidate, DateOnly date, string mood = "okay", int energy = 5, string title = "A day", string content = "Something happened.")
    {
        var response = await candidate.PostJsonAsync("/api/pss/journal", new { date, title, content, mood, energy_level = energy });
        return await response.ShouldBeJsonAsync(201);
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url, int status = 200) =>
        await (await client.GetAsync(url, TestContext.Current.CancellationToken)).ShouldBeJsonAsync(status);

    public static async Task<HttpResponseMessage> PutJsonAsync<T>(this HttpClient client, string url, T body) =>
        await client.PutAsJsonAsync(url, body, HttpAssertions.Json, TestContext.Current.CancellationToken);

    /// <summary>Runs SQL as the database owner, bypassing the application: what someone with a copy of the database sees.</summary>
    public static async Task<List<object?[]>> QueryAsync(this HavenTestApp app, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static async Task<int> ExecuteAsync(this HavenTestApp app, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
