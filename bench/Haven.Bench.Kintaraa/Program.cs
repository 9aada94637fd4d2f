using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Platform.Crypto;
using Haven.Platform.Identity;
using Haven.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

// Kintaraa case API under load, against the real host (Kestrel + PostgreSQL via HavenTestApp), beside baselines
// measured in the same run: a plain single-row INSERT straight into PostgreSQL, and the same INSERT behind a minimal
// authenticated HTTP endpoint. Then list/search latency over a seeded table of --incidents cases. See bench/README.md.
var reports = Argument("--reports", 2000);
var concurrency = Argument("--concurrency", 16);
var seeded = Argument("--incidents", 100_000);
var repeats = Argument("--repeats", 60);
var json = HttpAssertions.Json;

Console.Error.WriteLine("Starting Haven (real Kestrel + PostgreSQL)...");
await using var app = await HavenTestApp.StartAsync(o =>
{
    o.Modules = ["kintaraa"];
    o.Environment = "Staging";
    o.Settings["Haven:Web:RateLimitPerUserPerMinute"] = "100000000";
    o.Settings["Haven:Web:RateLimitPerAddressPerMinute"] = "100000000";
    o.Settings["Logging:LogLevel:Default"] = "Warning";
    o.Endpoints = endpoints => endpoints.MapPost("/bench/baseline-insert", async (NpgsqlDataSource data, CancellationToken ct) =>
    {
        await using var command = data.CreateCommand("INSERT INTO bench.plain (id, created_at, payload) VALUES ($1, $2, $3)");
        command.Parameters.Add(new() { Value = Guid.CreateVersion7() });
        command.Parameters.Add(new() { Value = DateTimeOffset.UtcNow });
        command.Parameters.Add(new() { Value = "He hit me again last night." });
        await command.ExecuteNonQueryAsync(ct);
        return Results.Created();
    }).RequireAuthorization(HavenPolicies.Kintaraa.Survivor);
});
await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(app.ConnectionString) { MaxPoolSize = 100 }.ConnectionString);
await ExecuteAsync(dataSource, "CREATE SCHEMA bench; CREATE TABLE bench.plain (id uuid PRIMARY KEY, created_at timestamptz NOT NULL, payload text NOT NULL)");

// Nairobi, and seven providers of every type around it, with room for every case this run makes.
const double Lat = -1.2864, Lon = 36.8172;
Console.Error.WriteLine("Signing in the cast...");
var admin = (await app.SignedInClientAsync(HavenRoles.Kintaraa.Admin)).Client;
var providers = new List<(HttpClient Client, Guid Id, ProviderType Type)>();
foreach (var type in Enum.GetValues<ProviderType>())
{
    for (var i = 0; i < 7; i++)
    {
        var user = await app.CreateUserAsync(HavenRoles.Kintaraa.Provider, providerType: SnakeEnum<ProviderType>.Name(type));
        var client = await app.ClientForAsync(user);
        var profile = await (await client.PutAsJsonAsync("/api/kintaraa/providers/me", new ProviderProfileRequest(null, $"{type} {i}", $"{type} centre {i}", [], [],
            null, null, Lat + (i * 0.01), Lon - (i * 0.01), "Africa/Nairobi",
            [.. Enum.GetValues<DayOfWeek>().Select(d => new WorkingPeriodDto(d, TimeOnly.MinValue, TimeOnly.MinValue))], true, true, 1000), json))
            .ShouldBeOkAsync<ProviderProfile>(201);
        await (await admin.PostAsync($"/api/kintaraa/providers/{profile.Id}/verify", null)).ShouldBeOkAsync<ProviderProfile>();
        providers.Add((client, profile.Id, type));
    }
}

var survivors = new List<(HttpClient Client, Guid Id)>();
for (var i = 0; i < 64; i++)
{
    var (client, user) = await app.SignedInClientAsync(HavenRoles.Kintaraa.Survivor);
    survivors.Add((client, user.Id));
}

ReportIncidentRequest Report(int n) => new(Guid.CreateVersion7(), (IncidentType)(n % 6), Priority.Medium, Severity.Medium, new DateOnly(2026, 11, 20), new TimeOnly(21, 0),
    "He hit me again last night and took my phone. I am staying with my sister.",
    new LocationInput(Lat + ((n % 50) * 0.002), Lon + ((n % 37) * 0.002), null, "near the market"), LocationPrecision.Exact,
    [SupportService.Medical, SupportService.Police], [SupportService.Medical, SupportService.Police]);

Console.Error.WriteLine($"Warming up, then {reports} reports by {concurrency} concurrent clients...");
await LoadAsync(200, concurrency, async n => (int)(await survivors[n % survivors.Count].Client.PostAsJsonAsync("/api/kintaraa/incidents", Report(n), json)).StatusCode);

// Database round trips per report: every Npgsql command the app runs (it shares this process) during 20 sequential reports.
var statements = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
using (var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == "Npgsql",
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    ActivityStopped = activity => statements.AddOrUpdate(Shorten(activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")), 1, (_, n) => n + 1),
})
{
    ActivitySource.AddActivityListener(listener);
    for (var n = 0; n < 20; n++)
    {
        await survivors[n].Client.PostAsJsonAsync("/api/kintaraa/incidents", Report(n), json);
    }
}

var roundTrips = statements.Values.Sum() / 20.0;
var reportRun = await LoadAsync(reports, concurrency, async n => (int)(await survivors[n % survivors.Count].Client.PostAsJsonAsync("/api/kintaraa/incidents", Report(n), json)).StatusCode);
var httpInsertRun = await LoadAsync(reports, concurrency, async n => (int)(await survivors[n % survivors.Count].Client.PostAsync("/bench/baseline-insert", null)).StatusCode);
var sqlInsertRun = await LoadAsync(reports, concurrency, async n =>
{
    await using var command = dataSource.CreateCommand("INSERT INTO bench.plain (id, created_at, payload) VALUES ($1, $2, $3)");
    command.Parameters.Add(new() { Value = Guid.CreateVersion7() });
    command.Parameters.Add(new() { Value = DateTimeOffset.UtcNow });
    command.Parameters.Add(new() { Value = "He hit me again last night." });
    await command.ExecuteNonQueryAsync();
    return 201;
});

Console.Error.WriteLine($"Seeding {seeded} incidents with referrals and messages (COPY)...");
// Message bodies are encrypted columns: one real envelope, sealed for that column, serves every seeded row.
var sealedBody = app.Services.GetRequiredService<FieldEncryption>().Encrypt("Case reported.", "kintaraa.messages.body");
var seed = await SeedAsync(dataSource, seeded, survivors[0].Id, providers, sealedBody);
await ExecuteAsync(dataSource, "ANALYZE kintaraa.incidents; ANALYZE kintaraa.referrals; ANALYZE kintaraa.messages; ANALYZE kintaraa.read_cursors");
var total = await ScalarAsync(dataSource, "SELECT count(*) FROM kintaraa.incidents");

var provider = providers[0];
var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-60).ToString("O", CultureInfo.InvariantCulture));
var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-30).ToString("O", CultureInfo.InvariantCulture));
var queries = new (string Name, HttpClient Client, string Url)[]
{
    ("admin: newest page", admin, "/api/kintaraa/incidents"),
    ("admin: status=in_progress", admin, "/api/kintaraa/incidents?status=in_progress"),
    ("admin: type+priority+30 days", admin, $"/api/kintaraa/incidents?type=sexual&priority=high,critical&from={from}&to={to}"),
    ("admin: provider_id filter", admin, $"/api/kintaraa/incidents?provider_id={provider.Id}"),
    ("admin: search case-number prefix (one day)", admin, $"/api/kintaraa/incidents?q={seed.DayPrefix}"),
    ("admin: search exact case number", admin, $"/api/kintaraa/incidents?q={seed.CaseNumber}"),
    ("admin: search handle", admin, $"/api/kintaraa/incidents?q={seed.Handle}"),
    ("admin: page 200", admin, "/api/kintaraa/incidents?page=200"),
    ("provider: visible cases", provider.Client, "/api/kintaraa/incidents"),
    ("provider: my assigned cases", provider.Client, "/api/kintaraa/providers/me/cases"),
    ("survivor: own cases", survivors[0].Client, "/api/kintaraa/incidents"),
    ("admin: dashboard stats (30 days)", admin, "/api/kintaraa/dashboard/stats"),
};

Console.Error.WriteLine($"Timing {queries.Length} list/search queries x {repeats} over {total} incidents...");
var listResults = new List<(string Name, Stats Stats, int Total)>();
foreach (var (name, client, url) in queries)
{
    var first = await client.GetAsync(url);
    var body = await first.Content.ReadAsStringAsync();
    if (!first.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{name} answered {(int)first.StatusCode}: {body}");
    }

    var found = System.Text.Json.Nodes.JsonNode.Parse(body)?["total"]?.GetValue<int>() ?? -1;
    var times = new List<double>();
    for (var i = 0; i < repeats; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    listResults.Add((name, Stats.Of(times), found));
}

var sqlPage = new List<double>();
for (var i = 0; i < repeats; i++)
{
    var watch = Stopwatch.StartNew();
    await using var command = dataSource.CreateCommand("SELECT * FROM kintaraa.incidents ORDER BY created_at DESC, id DESC LIMIT 20");
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
    }

    sqlPage.Add(watch.Elapsed.TotalMilliseconds);
}

Console.WriteLine();
Console.WriteLine($"## Report incident: {reports} requests, {concurrency} concurrent clients ({Environment.ProcessorCount} cores)");
Console.WriteLine();
Console.WriteLine("| path | throughput (req/s) | p50 ms | p99 ms | errors |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Row("POST /api/kintaraa/incidents (2 services routed)", reportRun);
Row("baseline: POST of one INSERT behind the same auth", httpInsertRun);
Row("baseline: plain single-row INSERT (Npgsql)", sqlInsertRun);
Console.WriteLine();
Console.WriteLine(FormattableString.Invariant($"Database round trips per report (sequential): {roundTrips:F1}"));
if (args.Contains("--statements"))
{
    foreach (var (statement, count) in statements.OrderByDescending(s => s.Value))
    {
        Console.WriteLine(FormattableString.Invariant($"  {count / 20.0,5:F1}  {statement}"));
    }
}

Console.WriteLine();
Console.WriteLine($"## Lists and search over {total:N0} incidents ({repeats} sequential calls each)");
Console.WriteLine();
Console.WriteLine("| query | matches | p50 ms | p99 ms |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var (name, stats, found) in listResults)
{
    Console.WriteLine(FormattableString.Invariant($"| {name} | {found:N0} | {stats.P50:F1} | {stats.P99:F1} |"));
}

var sql = Stats.Of(sqlPage);
Console.WriteLine(FormattableString.Invariant($"| baseline: newest 20 rows by plain SQL | - | {sql.P50:F1} | {sql.P99:F1} |"));
return 0;

void Row(string name, LoadResult run) => Console.WriteLine(FormattableString.Invariant(
    $"| {name} | {run.Throughput:F0} | {run.Latency.P50:F1} | {run.Latency.P99:F1} | {run.Errors} |"));

static string Shorten(object? statement)
{
    var text = System.Text.RegularExpressions.Regex.Replace(statement?.ToString() ?? "?", @"\s+", " ").Trim();
    return text.Length <= 110 ? text : text[..110];
}

static async Task<LoadResult> LoadAsync(int count, int workers, Func<int, Task<int>> call)
{
    var next = -1;
    var latencies = new double[count];
    var errors = 0;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
    {
        int n;
        while ((n = Interlocked.Increment(ref next)) < count)
        {
            var watch = Stopwatch.StartNew();
            var status = await call(n);
            latencies[n] = watch.Elapsed.TotalMilliseconds;
            if (status is < 200 or > 299)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }));
    total.Stop();
    return new LoadResult(count / total.Elapsed.TotalSeconds, Stats.Of(latencies), errors);
}

static async Task<SeedResult> SeedAsync(NpgsqlDataSource data, int count, Guid benchSurvivor, List<(HttpClient Client, Guid Id, ProviderType Type)> providers, byte[] messageBody)
{
    var now = DateTimeOffset.UtcNow;
    var statuses = new[] { "new", "assigned", "in_progress", "in_progress", "completed", "closed" };
    var types = new[] { "physical", "sexual", "emotional", "economic", "online", "femicide" };
    var priorities = new[] { "low", "medium", "medium", "high", "critical" };
    var perDay = (int)Math.Ceiling(count / 365.0);
    var ids = new Guid[count];
    var created = new DateTimeOffset[count];
    string? sampleNumber = null, sampleHandle = null, dayPrefix = null;
    await using (var connection = await data.OpenConnectionAsync())
    {
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY kintaraa.incidents (id, case_number, handle, survivor_id, is_anonymous, source, type, status, priority, severity, location_precision, support_services, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var day = i / perDay;
                created[i] = now.AddDays(-365 + day).AddMinutes(i % perDay);
                ids[i] = Guid.CreateVersion7(created[i]);
                var caseNumber = "KIN-9" + (day + 10_000).ToString(CultureInfo.InvariantCulture)[1..] + "00" + (i % perDay).ToString("D3", CultureInfo.InvariantCulture);
                var handle = "B-" + i.ToString("D7", CultureInfo.InvariantCulture);
                if (i == count / 2)
                {
                    (sampleNumber, sampleHandle, dayPrefix) = (caseNumber, handle, caseNumber[..10]);
                }

                await writer.StartRowAsync();
                await writer.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await writer.WriteAsync(caseNumber, NpgsqlDbType.Varchar);
                await writer.WriteAsync(handle, NpgsqlDbType.Varchar);
                await writer.WriteAsync(i % 2000 == 0 ? benchSurvivor : Guid.NewGuid(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(i % 5 == 0, NpgsqlDbType.Boolean);
                await writer.WriteAsync(i % 20 == 0 ? "sos" : "app", NpgsqlDbType.Varchar);
                await writer.WriteAsync(types[i % types.Length], NpgsqlDbType.Varchar);
                await writer.WriteAsync(statuses[i % statuses.Length], NpgsqlDbType.Varchar);
                await writer.WriteAsync(priorities[i % priorities.Length], NpgsqlDbType.Varchar);
                await writer.WriteAsync("medium", NpgsqlDbType.Varchar);
                await writer.WriteAsync("approximate", NpgsqlDbType.Varchar);
                await writer.WriteAsync(new[] { "medical", "police" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(created[i], NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(created[i].AddHours(2), NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(2, NpgsqlDbType.Integer);
            }

            await writer.CompleteAsync();
        }

        var referralStatuses = new[] { "pending", "accepted", "accepted", "done", "done", "declined" };
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY kintaraa.referrals (id, incident_id, service, provider_type, provider_id, kind, status, attempt, created_at, offered_at, responded_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            var medical = providers.Where(p => p.Type == ProviderType.Healthcare).ToList();
            for (var i = 0; i < count; i++)
            {
                var status = referralStatuses[i % referralStatuses.Length];
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(created[i]), NpgsqlDbType.Uuid);
                await writer.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await writer.WriteAsync("medical", NpgsqlDbType.Varchar);
                await writer.WriteAsync("healthcare", NpgsqlDbType.Varchar);
                await writer.WriteAsync(medical[i % medical.Count].Id, NpgsqlDbType.Uuid);
                await writer.WriteAsync("routed", NpgsqlDbType.Varchar);
                await writer.WriteAsync(status, NpgsqlDbType.Varchar);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                await writer.WriteAsync(created[i], NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(created[i], NpgsqlDbType.TimestampTz);
                if (status == "pending")
                {
                    await writer.WriteNullAsync();
                }
                else
                {
                    await writer.WriteAsync(created[i].AddMinutes(5 + (i % 40)), NpgsqlDbType.TimestampTz);
                }

                await writer.WriteAsync(1, NpgsqlDbType.Integer);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY kintaraa.messages (id, incident_id, sender_role, kind, body, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(created[i]), NpgsqlDbType.Uuid);
                await writer.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await writer.WriteAsync("system", NpgsqlDbType.Varchar);
                await writer.WriteAsync("system", NpgsqlDbType.Varchar);
                await writer.WriteAsync(messageBody, NpgsqlDbType.Bytea);
                await writer.WriteAsync(created[i], NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }
    }

    // The caseloads the seeded referrals hold.
    await ExecuteAsync(data, """
        UPDATE kintaraa.providers p
        SET caseload = (SELECT count(*) FROM kintaraa.referrals r WHERE r.provider_id = p.id AND r.status IN ('pending', 'accepted'))
        """);
    return new SeedResult(sampleNumber!, sampleHandle!, dayPrefix!);
}

static async Task ExecuteAsync(NpgsqlDataSource data, string sql)
{
    await using var command = data.CreateCommand(sql);
    command.CommandTimeout = 600;
    await command.ExecuteNonQueryAsync();
}

static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
{
    await using var command = data.CreateCommand(sql);
    return (long)(await command.ExecuteScalarAsync())!;
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Stats(double P50, double P99)
{
    public static Stats Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return new Stats(Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

internal sealed record LoadResult(double Throughput, Stats Latency, int Errors);

internal sealed record SeedResult(string CaseNumber, string Handle, string DayPrefix);
