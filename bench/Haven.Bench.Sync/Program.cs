using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Sync;
using Haven.Platform.Identity;
using Haven.Testing;
using Npgsql;
using NpgsqlTypes;

// Kintaraa offline sync and realtime chat against the real host (Kestrel + PostgreSQL via HavenTestApp), beside
// baselines measured in the same run. See bench/README.md.
//  1. --reports offline reports through POST /api/kintaraa/sync/batch (batches of 500), then the same batches resent;
//     baseline: as many reports through POST /api/kintaraa/incidents, one after another, as the app would send online.
//  2. --clients real SignalR clients (Node @microsoft/signalr, WebSockets) on /hubs/kintaraa, each a survivor with a
//     case; coordinators send chat messages with the hub's message.send into the cases; latency is send → receipt
//     (message.received at the survivor), on one clock (the Node process). Baselines: a bare hub round trip, and a
//     PostgreSQL NOTIFY round trip.
var reports = Argument("--reports", 1000);
var clients = Argument("--clients", 2000);
var messages = Argument("--messages", 2000);
var rate = Argument("--rate", 100);
var senders = Argument("--senders", 16);
var json = HttpAssertions.Json;

Console.Error.WriteLine("Starting Haven (real Kestrel + PostgreSQL)...");
await using var app = await HavenTestApp.StartAsync(o =>
{
    o.Modules = ["kintaraa"];
    o.Environment = "Staging";
    o.Settings["Haven:Web:RateLimitPerUserPerMinute"] = "100000000";
    o.Settings["Haven:Web:RateLimitPerAddressPerMinute"] = "100000000";
    o.Settings["Logging:LogLevel:Default"] = "Warning";
    // Tokens are issued before the clients connect and must outlive the whole run.
    o.Settings["Haven:Identity:AccessTokenMinutes"] = "60";
});
await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);

// Nairobi, with providers of every type around it and room for every case this run makes.
const double Lat = -1.2864, Lon = 36.8172;
Console.Error.WriteLine("Signing in the cast...");
var admin = (await app.SignedInClientAsync(HavenRoles.Kintaraa.Admin)).Client;
foreach (var type in Enum.GetValues<ProviderType>())
{
    for (var i = 0; i < 4; i++)
    {
        var user = await app.CreateUserAsync(HavenRoles.Kintaraa.Provider, providerType: SnakeEnum<ProviderType>.Name(type));
        var client = await app.ClientForAsync(user);
        var profile = await (await client.PutAsJsonAsync("/api/kintaraa/providers/me", new ProviderProfileRequest(null, $"{type} {i}", $"{type} centre {i}", [], [],
            null, null, Lat + (i * 0.01), Lon - (i * 0.01), "Africa/Nairobi",
            [.. Enum.GetValues<DayOfWeek>().Select(d => new WorkingPeriodDto(d, TimeOnly.MinValue, TimeOnly.MinValue))], true, true, 1000), json))
            .ShouldBeOkAsync<ProviderProfile>(201);
        await (await admin.PostAsync($"/api/kintaraa/providers/{profile.Id}/verify", null)).ShouldBeOkAsync<ProviderProfile>();
    }
}

ReportIncidentRequest Report(int n) => new(Guid.CreateVersion7(), (IncidentType)(n % 6), Priority.Medium, Severity.Medium, new DateOnly(2026, 11, 20), new TimeOnly(21, 0),
    "He hit me again last night and took my phone. I am staying with my sister.",
    new LocationInput(Lat + ((n % 50) * 0.002), Lon + ((n % 37) * 0.002), null, "near the market"), LocationPrecision.Exact,
    [SupportService.Medical, SupportService.Police], [SupportService.Medical, SupportService.Police]);
object Operation(ReportIncidentRequest report) => new { id = report.Id, type = "create_report", report };

// Warm-up (not measured): JIT, pools, the first encryption, both paths.
var warm = (await app.SignedInClientAsync(HavenRoles.Kintaraa.Survivor)).Client;
for (var n = 0; n < 50; n++)
{
    (await warm.PostAsJsonAsync("/api/kintaraa/incidents", Report(n), json)).EnsureSuccessStatusCode();
}

(await warm.PostAsJsonAsync("/api/kintaraa/sync/batch", new { operations = Enumerable.Range(0, 50).Select(n => Operation(Report(n))).ToArray() }, json)).EnsureSuccessStatusCode();

Console.Error.WriteLine($"{reports} reports one by one (baseline), then as offline batches, then the batches again...");
var online = (await app.SignedInClientAsync(HavenRoles.Kintaraa.Survivor)).Client;
var single = Stopwatch.StartNew();
var singleTimes = new List<double>();
for (var n = 0; n < reports; n++)
{
    var watch = Stopwatch.StartNew();
    (await online.PostAsJsonAsync("/api/kintaraa/incidents", Report(n), json)).EnsureSuccessStatusCode();
    singleTimes.Add(watch.Elapsed.TotalMilliseconds);
}

single.Stop();
var offline = (await app.SignedInClientAsync(HavenRoles.Kintaraa.Survivor)).Client;
var batches = Enumerable.Range(0, reports).Select(n => Operation(Report(n))).Chunk(SyncBatch.MaxOperations).ToList();
var (batchSeconds, batchApplied, _) = await SendBatchesAsync(offline, batches);
var (replaySeconds, _, replayed) = await SendBatchesAsync(offline, batches);
var created = await ScalarAsync(dataSource, "SELECT count(*) FROM kintaraa.incidents WHERE source = 'sync'");

// Part 2: chat latency with many connected clients.
Console.Error.WriteLine($"Registering {clients} anonymous survivor accounts and seeding a case for each...");
var accounts = await RegisterAccountsAsync(app, clients);
var cases = await SeedCasesAsync(dataSource, accounts);
var adminToken = admin.DefaultRequestHeaders.Authorization!.Parameter!;
var notify = await Latency.NotifyRoundTripAsync(app.ConnectionString, 1000);
var accountsFile = Path.Combine(Path.GetTempPath(), $"haven-bench-sync-{Guid.NewGuid():N}.json");
await File.WriteAllTextAsync(accountsFile, JsonSerializer.Serialize(new
{
    survivors = accounts.Select((a, i) => new { access_token = a.AccessToken, incident_id = cases[i] }),
    sender_token = adminToken,
}, json));
var root = FindRoot();
string output;
int exitCode;
try
{
    var node = Process.Start(new ProcessStartInfo("node",
    [
        Path.Combine(root, "bench", "realtime", "kintaraa-chat.mjs"),
        new Uri(app.BaseAddress, KintaraaHub.Path).ToString(),
        messages.ToString(CultureInfo.InvariantCulture),
        rate.ToString(CultureInfo.InvariantCulture),
        senders.ToString(CultureInfo.InvariantCulture),
        accountsFile,
    ])
    {
        WorkingDirectory = root,
        RedirectStandardOutput = true,
        UseShellExecute = false,
    })!;
    output = await node.StandardOutput.ReadToEndAsync();
    await node.WaitForExitAsync();
    exitCode = node.ExitCode;
}
finally
{
    File.Delete(accountsFile);
}

if (exitCode != 0 || JsonNode.Parse(output) is not JsonObject chat)
{
    Console.Error.WriteLine("The chat load script failed.");
    return 1;
}

chat["notify_round_trip_ms"] = JsonSerializer.SerializeToNode(notify, json);
var singleStats = Stats.Of(singleTimes);
Console.WriteLine();
Console.WriteLine($"## Offline reports: {reports}, each consenting to two services (routed), {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| path | total s | ms per report | reports/s |");
Console.WriteLine("|---|---:|---:|---:|");
Console.WriteLine(FormattableString.Invariant($"| baseline: POST /api/kintaraa/incidents, one after another (p50 {singleStats.P50:F1} ms, p99 {singleStats.P99:F1} ms) | {single.Elapsed.TotalSeconds:F1} | {single.Elapsed.TotalMilliseconds / reports:F1} | {reports / single.Elapsed.TotalSeconds:F0} |"));
Console.WriteLine(FormattableString.Invariant($"| POST /api/kintaraa/sync/batch, {batches.Count} batches of up to {SyncBatch.MaxOperations} ({batchApplied} applied) | {batchSeconds:F1} | {batchSeconds * 1000 / reports:F1} | {reports / batchSeconds:F0} |"));
Console.WriteLine(FormattableString.Invariant($"| the same batches resent ({replayed} answered as replays) | {replaySeconds:F2} | {replaySeconds * 1000 / reports:F1} | {reports / replaySeconds:F0} |"));
Console.WriteLine();
Console.WriteLine(FormattableString.Invariant($"Cases made through the batches: {created} (expected {reports + 50})."));
Console.WriteLine();
Console.WriteLine($"## Chat through /hubs/kintaraa with {clients} connected clients");
Console.WriteLine();
Console.WriteLine(chat.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
return 0;

static async Task<(double Seconds, int Applied, int Replayed)> SendBatchesAsync(HttpClient client, List<object[]> batches)
{
    var watch = Stopwatch.StartNew();
    var results = new List<SyncOperationResult>();
    foreach (var batch in batches)
    {
        using var response = await client.PostAsJsonAsync("/api/kintaraa/sync/batch", new { operations = batch }, HttpAssertions.Json);
        results.AddRange((await response.ShouldBeOkAsync<SyncBatchResult>()).Results);
    }

    return (watch.Elapsed.TotalSeconds, results.Count(r => r.Status == "applied" && !r.Replayed), results.Count(r => r.Replayed));
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static string FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Haven.slnx")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository.");
}

// Real accounts, cheaply: anonymous survivors register with a device credential (no password to stretch).
static async Task<BenchAccount[]> RegisterAccountsAsync(HavenTestApp app, int count)
{
    using var http = app.CreateClient();
    var accounts = new BenchAccount[count];
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
    {
        var device = new { device_id = $"bench-device-{Guid.NewGuid():N}", device_secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var token = (await (await http.PostJsonAsync("/api/auth/device/register", device)).ShouldBeJsonAsync(201))["access_token"]!.GetValue<string>();
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var id = (await (await http.SendAsync(me, cancellationToken)).ShouldBeJsonAsync())["id"]!.GetValue<Guid>();
        accounts[i] = new BenchAccount(id, token);
    });
    return accounts;
}

// One open case per survivor (COPY: reporting 2,000 cases through the API is measured above, not needed here).
static async Task<Guid[]> SeedCasesAsync(NpgsqlDataSource data, BenchAccount[] accounts)
{
    var ids = new Guid[accounts.Length];
    var now = DateTimeOffset.UtcNow;
    await using var connection = await data.OpenConnectionAsync();
    await using var writer = await connection.BeginBinaryImportAsync(
        "COPY kintaraa.incidents (id, case_number, handle, survivor_id, is_anonymous, source, type, status, priority, severity, location_precision, support_services, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)");
    for (var i = 0; i < accounts.Length; i++)
    {
        ids[i] = Guid.CreateVersion7(now);
        await writer.StartRowAsync();
        await writer.WriteAsync(ids[i], NpgsqlDbType.Uuid);
        await writer.WriteAsync("KIN-8" + i.ToString("D9", CultureInfo.InvariantCulture), NpgsqlDbType.Varchar);
        await writer.WriteAsync("C-" + i.ToString("D9", CultureInfo.InvariantCulture), NpgsqlDbType.Varchar);
        await writer.WriteAsync(accounts[i].UserId, NpgsqlDbType.Uuid);
        await writer.WriteAsync(true, NpgsqlDbType.Boolean);
        await writer.WriteAsync("app", NpgsqlDbType.Varchar);
        await writer.WriteAsync("physical", NpgsqlDbType.Varchar);
        await writer.WriteAsync("in_progress", NpgsqlDbType.Varchar);
        await writer.WriteAsync("medium", NpgsqlDbType.Varchar);
        await writer.WriteAsync("medium", NpgsqlDbType.Varchar);
        await writer.WriteAsync("none", NpgsqlDbType.Varchar);
        await writer.WriteAsync(new[] { "counseling" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
        await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await writer.WriteAsync(1, NpgsqlDbType.Integer);
    }

    await writer.CompleteAsync();
    return ids;
}

static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
{
    await using var command = data.CreateCommand(sql);
    return (long)(await command.ExecuteScalarAsync())!;
}

internal sealed record BenchAccount(Guid UserId, string AccessToken);

internal sealed record Stats(double P50, double P99)
{
    public static Stats Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return new Stats(Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
