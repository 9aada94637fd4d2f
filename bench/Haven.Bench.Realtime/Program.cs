using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Haven.Platform.Data;
using Haven.Platform.Events;
using Haven.Platform.Identity;
using Haven.Platform.Realtime;
using Haven.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Realtime delivery latency with N real SignalR clients (Node @microsoft/signalr over WebSockets) against the real
// host and PostgreSQL, beside baselines measured in the same run: a hub echo, a plain in-memory SignalR group send
// (no database), and a bare PostgreSQL NOTIFY round trip. See bench/README.md.
var clients = Argument("--clients", 2000);
var messages = Argument("--messages", 2000);
var rate = Argument("--rate", 200);
var fanouts = Argument("--fanouts", 10);

Console.Error.WriteLine($"Starting Haven (real Kestrel + PostgreSQL) for {clients} clients...");
await using var app = await HavenTestApp.StartAsync(o =>
{
    o.Environment = "Staging";
    o.Settings["Haven:Web:RateLimitPerUserPerMinute"] = "1000000";
    o.Settings["Haven:Web:RateLimitPerAddressPerMinute"] = "1000000";
    o.Settings["Logging:LogLevel:Default"] = "Warning";
    // Tokens are issued before the clients connect and must outlive the whole run.
    o.Settings["Haven:Identity:AccessTokenMinutes"] = "60";
    o.Services = services =>
    {
        services.AddRealtimeGroup<OpenGroups>("bench");
        // One group holding every client: a broadcast channel, where announcing each join to all would be O(n²).
        services.AddRealtimeGroup<OpenGroups>("broadcast", announcePresence: false);
    };
    o.Endpoints = endpoints => endpoints.MapHavenHub<BenchHub>("/hubs/bench");
});

var notify = await Latency.NotifyRoundTripAsync(app.ConnectionString, 1000);
Console.Error.WriteLine($"Registering {clients} anonymous survivor accounts through the API...");
var accountsFile = Path.Combine(Path.GetTempPath(), $"haven-bench-accounts-{Guid.NewGuid():N}.json");
await File.WriteAllTextAsync(accountsFile, JsonSerializer.Serialize(await RegisterAccountsAsync(app, clients), HttpAssertions.Json));
var root = FindRoot();
string report;
int exitCode;
try
{
    var node = Process.Start(new ProcessStartInfo("node",
    [
        Path.Combine(root, "bench", "realtime", "latency.mjs"),
        new Uri(app.BaseAddress, "/hubs/bench").ToString(),
        clients.ToString(CultureInfo.InvariantCulture),
        messages.ToString(CultureInfo.InvariantCulture),
        rate.ToString(CultureInfo.InvariantCulture),
        fanouts.ToString(CultureInfo.InvariantCulture),
        accountsFile,
    ])
    {
        WorkingDirectory = root,
        RedirectStandardOutput = true,
        UseShellExecute = false,
    })!;
    report = await node.StandardOutput.ReadToEndAsync();
    await node.WaitForExitAsync();
    exitCode = node.ExitCode;
}
finally
{
    File.Delete(accountsFile);
}
if (exitCode != 0 || JsonNode.Parse(report) is not JsonObject results)
{
    Console.Error.WriteLine("The load script failed.");
    return 1;
}

results["notify_round_trip_ms"] = JsonSerializer.SerializeToNode(notify);
Console.WriteLine(results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
return 0;

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

// Real accounts, cheaply: anonymous survivors register with a device credential (no password to stretch), and the
// access token of each registration is what one client connects with.
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

/// <summary>Everyone may join bench groups.</summary>
internal sealed class OpenGroups : IGroupAuthorizer
{
    public ValueTask<bool> CanJoinAsync(ICurrentUser user, string id, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}

/// <summary>A module-style hub: sends go through the outbox as a module's chat would; the other methods are baselines.</summary>
internal sealed class BenchHub(HavenHubServices realtime, PlatformDbContext db, IOutbox outbox) : HavenHub(realtime)
{
    /// <summary>The measured path: a module stores a message and publishes message.received in one transaction.</summary>
    [HubMethodName(RealtimeEvents.MessageSend)]
    public async Task Send(string group, string id, double sentAt)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await outbox.EnqueueAsync(db, EventEnvelope.Create(RealtimeEvents.MessageReceived, [group], new { id, sentAt, sender = CurrentUser.UserId }));
        await transaction.CommitAsync();
    }

    /// <summary>Baseline: a hub round trip with no work.</summary>
    [HubMethodName("echo")]
    public double Echo(double sentAt) => sentAt;

    /// <summary>Baseline: SignalR's own in-memory group send (no database, no ordering, no catch-up).</summary>
    [HubMethodName("direct.join")]
    public async Task DirectJoin(string group)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        await Groups.AddToGroupAsync(Context.ConnectionId, "all");
    }

    [HubMethodName("direct.send")]
    public Task DirectSend(string group, string id, double sentAt) =>
        Clients.OthersInGroup(group).SendAsync("bench.direct", new { id, sent_at = sentAt });

    /// <summary>One event to every connected client (a dashboard-wide broadcast) through the outbox.</summary>
    [HubMethodName("fanout")]
    public async Task Fanout(string id, double sentAt)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await outbox.EnqueueAsync(db, EventEnvelope.Create(RealtimeEvents.AssignmentNew, ["broadcast:all"], new { id, sentAt }));
        await transaction.CommitAsync();
    }

    /// <summary>Baseline for the fan-out: SignalR's in-memory send to a group of everyone (serialized once).</summary>
    [HubMethodName("direct.fanout")]
    public Task DirectFanout(string id, double sentAt) => Clients.Group("all").SendAsync("bench.directfanout", new { id, sent_at = sentAt });
}

internal sealed record BenchAccount(Guid UserId, string AccessToken);
