using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Haven.Platform.Identity;
using Haven.Platform.Tenancy;
using Haven.Testing;
using Npgsql;

// PSS dashboard statistics for a cohort of N candidates with D days of journal entries, against the real host and
// PostgreSQL, beside baselines measured in the same run. See bench/README.md.
var candidates = Argument("--candidates", 300);
var days = Argument("--days", 90);
var requests = Argument("--requests", 200);

Console.Error.WriteLine($"Starting Haven (real Kestrel + PostgreSQL) with {candidates} candidates x {days} days...");
await using var app = await HavenTestApp.StartAsync(o =>
{
    o.Modules = ["pss"];
    o.Environment = "Staging";
    o.GeneratedKeys = true;
    o.Settings["Logging:LogLevel:Default"] = "Warning";
});

var programme = await app.CreateTenantAsync("pss", TenantKinds.TrainingProgramme);
var entries = await SeedCohortAsync(app.ConnectionString, programme.Id, candidates, days);
var (admin, _) = await app.SignedInClientAsync(HavenRoles.Pss.Admin, programme.Id);
var (candidate, _) = await app.SignedInClientAsync(HavenRoles.Pss.Candidate, programme.Id);
var url = $"/api/pss/dashboard/stats?tenant_id={programme.Id}";

await TimeAsync(admin, url, 5);
var cached = await TimeAsync(admin, url, requests);
// A journal write through this instance invalidates the cache: every request after one computes the figures again.
var computed = await TimeAsync(admin, url, Math.Max(10, requests / 10), async () =>
    await candidate.PostJsonAsync("/api/pss/journal", new { title = "bench", content = "bench", mood = "okay", energy_level = 5 }));
var list = await TimeAsync(admin, "/api/pss/users?page_size=25", requests);
var health = await TimeAsync(admin, "/health/live", requests);

Console.WriteLine(JsonSerializer.Serialize(new
{
    candidates,
    days,
    journal_entries = entries,
    stats_computed_ms = computed,
    stats_cached_ms = cached,
    candidate_list_page_ms = list,
    baseline_health_ms = health,
}, new JsonSerializerOptions { WriteIndented = true }));
return 0;

static async Task<object> TimeAsync(HttpClient client, string url, int count, Func<Task>? before = null)
{
    var samples = new List<double>();
    for (var i = 0; i < count; i++)
    {
        if (before is not null)
        {
            await before();
        }

        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        response.EnsureSuccessStatusCode();
        samples.Add(watch.Elapsed.TotalMilliseconds);
    }

    samples.Sort();
    double At(double p) => Math.Round(samples[Math.Min(samples.Count - 1, (int)(p * samples.Count))], 2);
    return new { n = count, p50 = At(0.5), p95 = At(0.95), max = Math.Round(samples[^1], 2) };
}

// Users and entries straight into the tables: hashing hundreds of passwords would dominate the set-up. The entries'
// title and content are placeholders (statistics never read them).
static async Task<long> SeedCohortAsync(string connectionString, Guid programme, int candidates, int days)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var random = new Random(42);
    var ids = Enumerable.Range(0, candidates).Select(_ => Guid.CreateVersion7()).ToList();
    await using (var writer = await connection.BeginBinaryImportAsync(
        "COPY platform.users (id, display_name, is_anonymous, is_active, lockout_count, authz_version, created_at, updated_at, email, normalized_email, " +
        "email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count) FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var id in ids)
        {
            var email = $"bench-{id:N}@pss.bench";
            await writer.WriteRowAsync(default, id, $"Candidate {id.ToString()[..8]}", false, true, 0, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
                email, email.ToUpperInvariant(), true, false, false, false, 0);
        }

        await writer.CompleteAsync();
    }

    await using (var writer = await connection.BeginBinaryImportAsync("COPY platform.role_grants (id, user_id, role, tenant_id, granted_at) FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var id in ids)
        {
            await writer.WriteRowAsync(default, Guid.CreateVersion7(), id, HavenRoles.Pss.Candidate, programme, DateTimeOffset.UtcNow);
        }

        await writer.CompleteAsync();
    }

    var moods = new[] { "very_low", "low", "okay", "good", "very_good" };
    var today = DateOnly.FromDateTime(DateTime.UtcNow);
    long count = 0;
    await using (var writer = await connection.BeginBinaryImportAsync(
        "COPY pss.journal_entries (id, user_id, entry_date, title, content, mood, energy_level, version, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var id in ids)
        {
            for (var back = 0; back < days; back++)
            {
                if (random.NextDouble() > 0.7)
                {
                    continue;
                }

                var at = DateTimeOffset.UtcNow.AddDays(-back);
                await writer.WriteRowAsync(default, Guid.CreateVersion7(), id, today.AddDays(-back), new byte[] { 0 }, new byte[] { 0 },
                    moods[random.Next(moods.Length)], random.Next(1, 11), 1, at, at);
                count++;
            }
        }

        await writer.CompleteAsync();
    }

    return count;
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
