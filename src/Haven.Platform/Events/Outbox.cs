using System.Text.Json;
using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Events;

internal sealed class Outbox(EventPayloadProtector protector, TimeProvider clock) : IOutbox
{
    public Task EnqueueAsync(DbContext db, EventEnvelope envelope, CancellationToken cancellationToken = default) =>
        EnqueueAsync(db, [envelope], cancellationToken);

    public Task EnqueueAsync(DbContext db, IReadOnlyCollection<EventEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        var (connection, transaction) = DbContextConnections.RequireTransaction(db, "IOutbox.EnqueueAsync");
        return EnqueueAsync(connection, transaction, envelopes, cancellationToken);
    }

    public async Task EnqueueAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<EventEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        if (envelopes.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var envelope in envelopes)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(envelope.Payload, EventEnvelope.Json);
            if (json.Length > EventEnvelope.MaxPayloadBytes)
            {
                throw new ArgumentException($"Event '{envelope.Type}' has a {json.Length}-byte payload; the limit is {EventEnvelope.MaxPayloadBytes}.");
            }

            var (sealedPayload, keyId) = protector.Protect(json, envelope.Type);
            var insert = new NpgsqlBatchCommand(
                "INSERT INTO platform.events (type, audience, payload, key_id, occurred_at) VALUES ($1, $2, $3, $4, $5)");
            insert.Parameters.Add(new() { Value = envelope.Type });
            insert.Parameters.Add(new() { Value = envelope.Audience.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = sealedPayload });
            insert.Parameters.Add(new() { Value = keyId });
            insert.Parameters.Add(new() { Value = now });
            batch.BatchCommands.Add(insert);
        }

        // Delivered at commit only (and dropped on rollback): wakes the sequencer on every instance.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"NOTIFY {DatabaseSignals.OutboxChannel}"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
