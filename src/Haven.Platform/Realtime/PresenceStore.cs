using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Events;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Realtime;

/// <summary>
/// Presence lives in PostgreSQL so that every instance sees every other's clients: a row per connection (under its
/// instance's heartbeat row) and per group membership. A user is online in a group while at least one of their
/// memberships belongs to an instance whose heartbeat is fresh, so an instance that dies without cleaning up stops
/// counting after <see cref="RealtimeOptions.InstanceTimeout"/> with no help from anyone. Joins and leaves take a
/// transaction-scoped advisory lock per (group, user), which makes "first membership" / "last membership" exact:
/// two tabs closing at once on two instances still produce exactly one "went offline".
/// </summary>
internal sealed class PresenceStore(NpgsqlDataSource dataSource, HavenInstance instance, TimeProvider clock, IOptions<RealtimeOptions> options)
{
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this instance's row exists (connections' rows reference it).</summary>
    public Task InstanceRegistered => _registered.Task;

    public async Task RegisterInstanceAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO platform.realtime_instances (id, started_at, heartbeat_at) VALUES ($1, $2, $2)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """);
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        _registered.TrySetResult();
    }

    /// <summary>False when the instance row is gone (swept after a long stall): the caller re-registers everything.</summary>
    public async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE platform.realtime_instances SET heartbeat_at = $2 WHERE id = $1");
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task UnregisterInstanceAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM platform.realtime_instances WHERE id = $1");
        command.Parameters.Add(new() { Value = instance.Id });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ConnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO platform.realtime_connections (id, instance_id, user_id, connected_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.Add(new() { Value = connectionId });
        command.Parameters.Add(new() { Value = instance.Id });
        command.Parameters.Add(new() { Value = userId });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records memberships; returns the groups in which the user was not online before.</summary>
    public async Task<IReadOnlyList<string>> JoinedAsync(string connectionId, Guid userId, IReadOnlyCollection<string> groups, CancellationToken cancellationToken)
    {
        if (groups.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, userId, groups, cancellationToken);
        var before = await LiveMembershipCountsAsync(connection, transaction, userId, groups, cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO platform.realtime_memberships (connection_id, group_name, user_id, joined_at)
            SELECT $1, g, $2, $3 FROM unnest($4) g
            ON CONFLICT (connection_id, group_name) DO NOTHING
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = connectionId });
            insert.Parameters.Add(new() { Value = userId });
            insert.Parameters.Add(new() { Value = clock.GetUtcNow() });
            insert.Parameters.Add(new() { Value = groups.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return [.. groups.Where(g => before.GetValueOrDefault(g) == 0)];
    }

    /// <summary>Removes memberships; returns the groups the user is no longer online in.</summary>
    public Task<IReadOnlyList<string>> LeftAsync(string connectionId, Guid userId, IReadOnlyCollection<string> groups, CancellationToken cancellationToken) =>
        RemoveAsync(connectionId, userId, groups, cancellationToken);

    /// <summary>Removes the connection and its memberships; returns the groups the user is no longer online in.</summary>
    public Task<IReadOnlyList<string>> DisconnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken) =>
        RemoveAsync(connectionId, userId, null, cancellationToken);

    /// <param name="groups">The memberships to remove; null for the whole connection.</param>
    private async Task<IReadOnlyList<string>> RemoveAsync(
        string connectionId, Guid userId, IReadOnlyCollection<string>? groups, CancellationToken cancellationToken)
    {
        var wholeConnection = groups is null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (groups is null)
        {
            var all = new List<string>();
            await using (var mine = new NpgsqlCommand("SELECT group_name FROM platform.realtime_memberships WHERE connection_id = $1", connection, transaction))
            {
                mine.Parameters.Add(new() { Value = connectionId });
                await using var reader = await mine.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    all.Add(reader.GetString(0));
                }
            }

            groups = all;
        }

        await LockAsync(connection, transaction, userId, groups, cancellationToken);
        await using (var delete = new NpgsqlCommand(
            wholeConnection
                ? "DELETE FROM platform.realtime_connections WHERE id = $1"
                : "DELETE FROM platform.realtime_memberships WHERE connection_id = $1 AND group_name = ANY($2)",
            connection, transaction))
        {
            delete.Parameters.Add(new() { Value = connectionId });
            if (!wholeConnection)
            {
                delete.Parameters.Add(new() { Value = groups.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            }

            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var after = await LiveMembershipCountsAsync(connection, transaction, userId, groups, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. groups.Where(g => after.GetValueOrDefault(g) == 0)];
    }

    public async Task<IReadOnlyList<Guid>> OnlineUsersAsync(string group, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT DISTINCT m.user_id FROM platform.realtime_memberships m
            JOIN platform.realtime_connections c ON c.id = m.connection_id
            JOIN platform.realtime_instances i ON i.id = c.instance_id
            WHERE m.group_name = $1 AND i.heartbeat_at > $2
            ORDER BY m.user_id
            """);
        command.Parameters.Add(new() { Value = group });
        command.Parameters.Add(new() { Value = LiveSince() });
        var users = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(reader.GetGuid(0));
        }

        return users;
    }

    public async Task<bool> IsOnlineAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM platform.realtime_connections c JOIN platform.realtime_instances i ON i.id = c.instance_id
                           WHERE c.user_id = $1 AND i.heartbeat_at > $2)
            """);
        command.Parameters.Add(new() { Value = userId });
        command.Parameters.Add(new() { Value = LiveSince() });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Deletes instances whose heartbeat stopped (their connections and memberships go with them) and returns the
    /// (group, user) pairs that are offline as a result, so their groups can be told.
    /// </summary>
    public async Task<IReadOnlyList<(string Group, Guid User)>> SweepAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var affected = new List<(string, Guid)>();
        await using (var orphaned = new NpgsqlCommand("""
            WITH dead AS (DELETE FROM platform.realtime_instances WHERE heartbeat_at <= $1 RETURNING id)
            SELECT DISTINCT m.group_name, m.user_id FROM platform.realtime_memberships m
            JOIN platform.realtime_connections c ON c.id = m.connection_id
            WHERE c.instance_id IN (SELECT id FROM dead)
            """, connection, transaction))
        {
            orphaned.Parameters.Add(new() { Value = LiveSince() });
            await using var reader = await orphaned.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                affected.Add((reader.GetString(0), reader.GetGuid(1)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        var offline = new List<(string, Guid)>();
        foreach (var (group, user) in affected)
        {
            if (!(await OnlineUsersAsync(group, cancellationToken)).Contains(user))
            {
                offline.Add((group, user));
            }
        }

        return offline;
    }

    private DateTimeOffset LiveSince() => clock.GetUtcNow() - options.Value.InstanceTimeout;

    private async Task<Dictionary<string, long>> LiveMembershipCountsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, IReadOnlyCollection<string> groups, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.group_name, count(*) FROM platform.realtime_memberships m
            JOIN platform.realtime_connections c ON c.id = m.connection_id
            JOIN platform.realtime_instances i ON i.id = c.instance_id
            WHERE m.user_id = $1 AND m.group_name = ANY($2) AND i.heartbeat_at > $3
            GROUP BY m.group_name
            """, connection, transaction);
        command.Parameters.Add(new() { Value = userId });
        command.Parameters.Add(new() { Value = groups.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = LiveSince() });
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>Advisory locks per (group, user), taken in a fixed order so concurrent joins and leaves never deadlock.</summary>
    private static async Task LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, IReadOnlyCollection<string> groups, CancellationToken cancellationToken)
    {
        var keys = groups.Select(g => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"presence:{g}:{userId:N}")))).Order().ToArray();
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(k) FROM unnest($1) AS k", connection, transaction);
        command.Parameters.Add(new() { Value = keys });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
