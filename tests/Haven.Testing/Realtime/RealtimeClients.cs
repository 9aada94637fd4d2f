using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Haven.Testing.Realtime;

/// <summary>
/// Real SignalR clients (<c>@microsoft/signalr</c> under Node, WebSockets, as browsers and the React Native app use it)
/// for tests: one Node process (<c>tests/js/realtime-client.mjs</c>) holding any number of connections.
/// <code>
/// await using var clients = await RealtimeClients.StartAsync();
/// var alice = await clients.ConnectAsync(app.BaseAddress, "/hubs/platform", token, "assignment.new");
/// await alice.SubscribeAsync(cursor: null, "case:42");
/// var message = await alice.WaitForAsync("assignment.new");
/// </code>
/// </summary>
public sealed class RealtimeClients : IAsyncDisposable
{
    private readonly Process _node;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentDictionary<string, RealtimeClient> _clients = new();
    private readonly SemaphoreSlim _stdin = new(1, 1);
    private readonly Task _reader;
    private readonly ConcurrentQueue<string> _stderr = new();
    private long _nextId;
    private int _nextName;

    private RealtimeClients(Process node)
    {
        _node = node;
        _reader = Task.Run(ReadAsync);
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        node.BeginErrorReadLine();
    }

    /// <summary>Event names every connection listens to unless told otherwise: the platform's own.</summary>
    public static readonly IReadOnlyList<string> PlatformEvents =
    [
        "message.received", "status.changed", "assignment.new", "notification.push", "notification.read",
        "typing.changed", "presence.changed", "group.removed",
    ];

    public static Task<RealtimeClients> StartAsync()
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "tests", "js", "realtime-client.mjs");
        if (!Directory.Exists(Path.Combine(root, "node_modules", "@microsoft", "signalr")))
        {
            throw new InvalidOperationException("node_modules/@microsoft/signalr is missing: run `npm ci` at the repository root (test.sh does).");
        }

        var start = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        return Task.FromResult(new RealtimeClients(process));
    }

    /// <summary>Opens a connection to <paramref name="hubPath"/> with the access token; throws <see cref="RealtimeClientException"/> if refused.</summary>
    public async Task<RealtimeClient> ConnectAsync(Uri baseAddress, string hubPath, string accessToken, params string[] events)
    {
        var name = "c" + Interlocked.Increment(ref _nextName);
        var client = new RealtimeClient(this, name);
        _clients[name] = client;
        var answer = await SendAsync(new JsonObject
        {
            ["cmd"] = "connect",
            ["name"] = name,
            ["url"] = new Uri(baseAddress, hubPath).ToString(),
            ["token"] = accessToken,
            ["events"] = new JsonArray([.. (events.Length == 0 ? PlatformEvents : PlatformEvents.Concat(events)).Distinct().Select(e => (JsonNode)e)]),
        });
        if (answer["ok"]?.GetValue<bool>() != true)
        {
            _clients.TryRemove(name, out _);
            throw new RealtimeClientException(answer["error"]?.GetValue<string>() ?? "connection refused");
        }

        return client;
    }

    internal async Task<JsonObject> SendAsync(JsonObject command)
    {
        var id = Interlocked.Increment(ref _nextId);
        command["id"] = id;
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _stdin.WaitAsync();
        try
        {
            await _node.StandardInput.WriteLineAsync(command.ToJsonString());
            await _node.StandardInput.FlushAsync();
        }
        finally
        {
            _stdin.Release();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using (timeout.Token.Register(() => answer.TrySetException(new TimeoutException(
            $"The realtime client did not answer '{command["cmd"]}' within 30 s. Node stderr: {string.Join(" | ", _stderr)}"))))
        {
            return await answer.Task;
        }
    }

    private async Task ReadAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            if (JsonNode.Parse(line) is not JsonObject message)
            {
                continue;
            }

            if (message["id"] is { } id && _pending.TryRemove(id.GetValue<long>(), out var answer))
            {
                answer.TrySetResult(message);
            }
            else if (message["name"]?.GetValue<string>() is { } name && _clients.TryGetValue(name, out var client))
            {
                client.Receive(message);
            }
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("The realtime client process exited: " + string.Join(" | ", _stderr)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _node.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill(entireProcessTree: true);
        }

        await _reader;
        _node.Dispose();
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Haven.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (Haven.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>A message a client received: the event name, its argument, and when it arrived (wall-clock ms).</summary>
public sealed record ReceivedMessage(string Event, JsonNode Data, double ReceivedAtMs)
{
    /// <summary>The stored event's position; null for ephemeral messages (typing, presence).</summary>
    public long? Position => Data["position"]?.GetValue<long>();

    public JsonNode Payload => Data["payload"]!;
}

/// <summary>One connection of <see cref="RealtimeClients"/>.</summary>
public sealed class RealtimeClient
{
    private readonly RealtimeClients _owner;
    private readonly List<ReceivedMessage> _received = [];
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<string?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RealtimeClient(RealtimeClients owner, string name)
    {
        _owner = owner;
        Name = name;
    }

    public string Name { get; }

    public IReadOnlyList<ReceivedMessage> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The highest position received: what a real client stores as its cursor.</summary>
    public long? Cursor => Received.Max(m => m.Position);

    /// <summary>Completes with the close error (null for a clean close) when the server or the client closes the connection.</summary>
    public Task<string?> Closed => _closed.Task;

    /// <summary>Invokes a hub method; returns its result, or throws <see cref="RealtimeClientException"/> with the server's error.</summary>
    public async Task<JsonNode?> InvokeAsync(string method, params object?[] args)
    {
        var answer = await _owner.SendAsync(new JsonObject
        {
            ["cmd"] = "invoke",
            ["name"] = Name,
            ["method"] = method,
            ["args"] = JsonSerializer.SerializeToNode(args, HttpAssertions.Json),
        });
        return answer["ok"]?.GetValue<bool>() == true
            ? answer["result"]?.DeepClone()
            : throw new RealtimeClientException(answer["error"]?.GetValue<string>() ?? "invocation failed");
    }

    /// <summary>Calls <c>subscribe</c> with the cursor and groups; returns the server's answer.</summary>
    public async Task<JsonNode> SubscribeAsync(long? cursor, params string[] groups) =>
        (await InvokeAsync("subscribe", new { cursor, groups }))!;

    public async Task StopAsync() => await _owner.SendAsync(new JsonObject { ["cmd"] = "stop", ["name"] = Name });

    /// <summary>Waits for the first message (received so far or later) matching <paramref name="predicate"/>.</summary>
    public async Task<ReceivedMessage> WaitForAsync(Func<ReceivedMessage, bool> predicate, TimeSpan? timeout = null)
    {
        var received = await WaitUntilAsync(all => all.Any(predicate), timeout);
        return received.First(predicate);
    }

    public Task<ReceivedMessage> WaitForAsync(string eventName, TimeSpan? timeout = null) => WaitForAsync(m => m.Event == eventName, timeout);

    /// <summary>Waits until at least <paramref name="count"/> messages named <paramref name="eventName"/> arrived; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> WaitForCountAsync(string eventName, int count, TimeSpan? timeout = null)
    {
        var received = await WaitUntilAsync(all => all.Count(m => m.Event == eventName) >= count, timeout);
        return [.. received.Where(m => m.Event == eventName)];
    }

    /// <summary>Waits until everything received so far satisfies <paramref name="condition"/>; returns it.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> WaitUntilAsync(Func<IReadOnlyList<ReceivedMessage>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task arrived;
            IReadOnlyList<ReceivedMessage> received;
            lock (_lock)
            {
                received = [.. _received];
                arrived = _arrived.Task;
            }

            if (condition(received))
            {
                return received;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(arrived, Task.Delay(left)) != arrived)
            {
                throw new TimeoutException(
                    $"Client {Name} did not receive what was expected in time. It received: {string.Join("; ", received.Select(m => m.Event + " " + m.Data.ToJsonString()))}");
            }
        }
    }

    internal void Receive(JsonObject message)
    {
        if (message["closed"] is not null)
        {
            _closed.TrySetResult(message["error"]?.GetValue<string>());
            return;
        }

        var received = new ReceivedMessage(message["event"]!.GetValue<string>(), message["data"]?.DeepClone() ?? new JsonObject(), message["t"]!.GetValue<double>());
        TaskCompletionSource arrived;
        lock (_lock)
        {
            _received.Add(received);
            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
    }
}

public sealed class RealtimeClientException(string message) : Exception(message);
