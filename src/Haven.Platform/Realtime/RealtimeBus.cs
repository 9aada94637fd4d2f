using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Haven.Platform.Events;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Haven.Platform.Realtime;

/// <summary>
/// Cross-instance control messages over NOTIFY: ephemeral sends to a group (typing, presence — not stored, not
/// replayed), removing a user from a group, and closing a user's or a session's connections. Every instance,
/// the sender included, applies each message to its own connections.
/// </summary>
internal sealed partial class RealtimeBus
{
    /// <summary>NOTIFY payloads are limited to 8000 bytes; leave room for the envelope.</summary>
    public const int MaxPayloadBytes = 7000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ConnectionRegistry _registry;
    private readonly TimeProvider _clock;
    private readonly ILogger<RealtimeBus> _logger;

    public RealtimeBus(NpgsqlDataSource dataSource, DatabaseSignals signals, ConnectionRegistry registry, TimeProvider clock, ILogger<RealtimeBus> logger)
    {
        _dataSource = dataSource;
        _registry = registry;
        _clock = clock;
        _logger = logger;
        signals.RealtimeMessage = Receive;
    }

    /// <summary>Raised on every instance for each of its connections removed from a group by <see cref="RemoveFromGroupAsync"/>.</summary>
    public Func<RealtimeConnection, string, Task>? Removed { get; set; }

    public Task SendAsync(string group, string type, JsonElement payload, string? exceptConnectionId, CancellationToken cancellationToken) =>
        PublishAsync(new BusMessage { Op = "send", Group = group, Type = type, Payload = payload, Except = exceptConnectionId }, cancellationToken);

    public Task RemoveFromGroupAsync(string group, Guid userId, CancellationToken cancellationToken) =>
        PublishAsync(new BusMessage { Op = "remove", Group = group, User = userId }, cancellationToken);

    public Task DisconnectAsync(Guid userId, Guid? sessionId, CancellationToken cancellationToken) =>
        PublishAsync(new BusMessage { Op = "disconnect", User = userId, Session = sessionId }, cancellationToken);

    private async Task PublishAsync(BusMessage message, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(message, EventEnvelope.Json);
        if (Encoding.UTF8.GetByteCount(json) > MaxPayloadBytes)
        {
            throw new ArgumentException($"A realtime message is limited to {MaxPayloadBytes} bytes; send ids and let clients fetch the rest.");
        }

        await using var command = _dataSource.CreateCommand($"SELECT pg_notify('{DatabaseSignals.RealtimeChannel}', $1)");
        command.Parameters.Add(new() { Value = json });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Receive(string json)
    {
        BusMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<BusMessage>(json, EventEnvelope.Json);
        }
        catch (JsonException)
        {
            LogMalformed(_logger);
            return;
        }

        switch (message)
        {
            case { Op: "send", Group: { } group, Type: { } type, Payload: { } payload }:
                _registry.SendToGroup(group, new RealtimeMessage(null, type, group, _clock.GetUtcNow(), payload), message.Except);
                break;
            case { Op: "remove", Group: { } group, User: { } user }:
                foreach (var connection in _registry.Find(c => c.UserId == user))
                {
                    if (_registry.Leave(connection, group))
                    {
                        connection.Enqueue(new RealtimeMessage(null, RealtimeEvents.GroupRemoved, group, _clock.GetUtcNow(), JsonSerializer.SerializeToElement(new { group }, EventEnvelope.Json)));
                        _ = Removed?.Invoke(connection, group);
                    }
                }

                break;
            case { Op: "disconnect", User: { } user }:
                foreach (var connection in _registry.Find(c => c.UserId == user && (message.Session is null || c.SessionId == message.Session)))
                {
                    connection.Abort();
                }

                break;
        }
    }

    private sealed class BusMessage
    {
        public string Op { get; init; } = "";

        public string? Group { get; init; }

        public string? Type { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public JsonElement? Payload { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Except { get; init; }

        public Guid? User { get; init; }

        public Guid? Session { get; init; }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Ignored a malformed realtime control message")]
    private static partial void LogMalformed(ILogger logger);
}
