using System.Data;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Events;

/// <summary>A committed, sequenced event as readers see it.</summary>
public sealed record StoredEvent(long Position, string Type, IReadOnlyList<string> Audience, JsonElement Payload, DateTimeOffset OccurredAt);

/// <summary>
/// One page of a feed read. <see cref="Position"/> is the cursor to continue from: the last event's position when the
/// page is full, otherwise the newest position in the whole stream (the reader has seen everything addressed to it
/// up to there). <see cref="ResetRequired"/>: the cursor is older than retention; events were deleted, so the reader
/// must reload its state from the REST API and continue from <see cref="Position"/>.
/// </summary>
public sealed record EventPage(IReadOnlyList<StoredEvent> Events, long Position, bool ResetRequired);

/// <summary>Reads the sequenced event stream by audience after a cursor (catch-up, sync feeds).</summary>
public interface IEventFeed
{
    Task<EventPage> ReadAsync(IReadOnlyCollection<string> audiences, long after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="ReadAsync(IReadOnlyCollection{string}, long, int, CancellationToken)"/>, plus every event addressed
    /// to any group of the given <paramref name="groupKinds"/> (<c>kintaraa-case</c>): for readers who may see all
    /// groups of a kind (coordinators), whose groups could not be listed one by one.
    /// </summary>
    Task<EventPage> ReadAsync(IReadOnlyCollection<string> audiences, IReadOnlyCollection<string> groupKinds, long after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest sequenced position.</summary>
    Task<long> LatestPositionAsync(CancellationToken cancellationToken = default);
}

internal sealed class EventFeed(NpgsqlDataSource dataSource, EventPayloadProtector protector) : IEventFeed
{
    public const int MaxPageSize = 1000;

    public Task<EventPage> ReadAsync(IReadOnlyCollection<string> audiences, long after, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(audiences, [], after, upTo: null, limit, cancellationToken);

    public Task<EventPage> ReadAsync(
        IReadOnlyCollection<string> audiences, IReadOnlyCollection<string> groupKinds, long after, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(audiences, groupKinds, after, upTo: null, limit, cancellationToken);

    /// <summary>Reads events in (<paramref name="after"/>, <paramref name="upTo"/>] — all in one snapshot, so retention cannot interleave.</summary>
    public Task<EventPage> ReadAsync(IReadOnlyCollection<string> audiences, long after, long? upTo, int limit, CancellationToken cancellationToken) =>
        ReadAsync(audiences, [], after, upTo, limit, cancellationToken);

    private async Task<EventPage> ReadAsync(
        IReadOnlyCollection<string> audiences, IReadOnlyCollection<string> groupKinds, long after, long? upTo, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        long last, prunedThrough;
        await using (var sequence = new NpgsqlCommand("SELECT last_position, pruned_through FROM platform.event_sequence WHERE id = 1", connection, transaction))
        await using (var reader = await sequence.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            last = reader.GetInt64(0);
            prunedThrough = reader.GetInt64(1);
        }

        var ceiling = Math.Min(upTo ?? last, last);
        if (after < prunedThrough)
        {
            return new EventPage([], ceiling, ResetRequired: true);
        }

        if ((audiences.Count == 0 && groupKinds.Count == 0) || after >= ceiling)
        {
            return new EventPage([], Math.Max(after, ceiling), ResetRequired: false);
        }

        var events = new List<StoredEvent>();
        await using (var select = new NpgsqlCommand("""
            SELECT position, type, audience, payload, key_id, occurred_at FROM platform.events
            WHERE position > $1 AND position <= $2
              AND (audience && $3 OR (cardinality($5) > 0 AND EXISTS (SELECT 1 FROM unnest(audience) a WHERE split_part(a, ':', 1) = ANY ($5))))
            ORDER BY position LIMIT $4
            """, connection, transaction))
        {
            select.Parameters.Add(new() { Value = after });
            select.Parameters.Add(new() { Value = ceiling });
            select.Parameters.Add(new() { Value = audiences.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            select.Parameters.Add(new() { Value = limit });
            select.Parameters.Add(new() { Value = groupKinds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(Read(reader, protector));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new EventPage(events, events.Count == limit ? events[^1].Position : ceiling, ResetRequired: false);
    }

    public async Task<long> LatestPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT last_position FROM platform.event_sequence WHERE id = 1");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Every event after <paramref name="after"/> regardless of audience, in position order (the dispatcher's read).</summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long after, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT position, type, audience, payload, key_id, occurred_at FROM platform.events
            WHERE position > $1 ORDER BY position LIMIT $2
            """);
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = limit });
        var events = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader, protector));
        }

        return events;
    }

    private static StoredEvent Read(NpgsqlDataReader reader, EventPayloadProtector protector)
    {
        var type = reader.GetString(1);
        var json = protector.Unprotect(reader.GetFieldValue<byte[]>(3), reader.GetString(4), type);
        using var document = JsonDocument.Parse(json);
        return new StoredEvent(reader.GetInt64(0), type, reader.GetFieldValue<string[]>(2), document.RootElement.Clone(), reader.GetFieldValue<DateTimeOffset>(5));
    }
}
