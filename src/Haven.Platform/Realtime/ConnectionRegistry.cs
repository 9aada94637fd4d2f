using Haven.Platform.Events;

namespace Haven.Platform.Realtime;

/// <summary>
/// This instance's connections and which audiences each listens to, plus the position up to which this instance has
/// dispatched the event stream. One lock guards it all, held only for in-memory work (sending is done by each
/// connection's writer), so that subscribing, joining and dispatching are atomic with respect to each other:
/// <list type="bullet">
/// <item>Dispatch queues event p to connection c only if p &gt; c.LastQueued, then raises LastQueued — no duplicates,
/// even when an event names several audiences c listens to.</item>
/// <item>Subscribe with cursor x records the dispatched position d under the lock: the catch-up read covers (x, d],
/// live events after d are held until the catch-up is queued — no gap, no reordering.</item>
/// <item>Join records d too: events after d reach the new group's member live.</item>
/// </list>
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, RealtimeConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<RealtimeConnection>> _listeners = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dispatched;
    private int _subscribed;

    /// <summary>Completes once the dispatcher knows where the stream stands; subscriptions wait for it.</summary>
    public Task Started => _started.Task;

    public long Dispatched
    {
        get
        {
            lock (_sync)
            {
                return _dispatched;
            }
        }
    }

    public bool HasSubscribers
    {
        get
        {
            lock (_sync)
            {
                return _subscribed > 0;
            }
        }
    }

    public void Start(long position)
    {
        lock (_sync)
        {
            _dispatched = position;
        }

        _started.TrySetResult();
    }

    public void Add(RealtimeConnection connection)
    {
        lock (_sync)
        {
            _connections[connection.Id] = connection;
        }
    }

    public RealtimeConnection? Get(string connectionId)
    {
        lock (_sync)
        {
            return _connections.GetValueOrDefault(connectionId);
        }
    }

    /// <summary>Forgets the connection; returns the groups it had joined.</summary>
    public IReadOnlyList<string> Remove(RealtimeConnection connection)
    {
        lock (_sync)
        {
            if (!_connections.Remove(connection.Id))
            {
                return [];
            }

            foreach (var audience in connection.Audiences)
            {
                Unlisten(audience, connection);
            }

            if (connection.Subscribed)
            {
                _subscribed--;
            }

            var groups = connection.Audiences.Where(a => !a.StartsWith(EventAudience.UserKind + ":", StringComparison.Ordinal)).ToList();
            connection.Audiences.Clear();
            return groups;
        }
    }

    /// <summary>
    /// Starts live delivery for the connection's audiences. Returns the range to catch up from the database, or null
    /// when there is nothing to catch up (no cursor, or a cursor at or past what this instance has dispatched).
    /// </summary>
    public (long After, long UpTo)? Subscribe(RealtimeConnection connection, IReadOnlyCollection<string> audiences, long? cursor, out long position)
    {
        lock (_sync)
        {
            foreach (var audience in audiences)
            {
                if (connection.Audiences.Add(audience))
                {
                    Listen(audience, connection);
                }
            }

            connection.Subscribed = true;
            _subscribed++;
            var dispatched = _dispatched;
            if (cursor is not { } after || after >= dispatched)
            {
                connection.LastQueued = Math.Max(cursor ?? dispatched, dispatched);
                position = connection.LastQueued;
                return null;
            }

            connection.LastQueued = dispatched;
            connection.Held = [];
            position = dispatched;
            return (after, dispatched);
        }
    }

    /// <summary>Releases the live events held during a catch-up, after it.</summary>
    public void EndCatchUp(RealtimeConnection connection)
    {
        lock (_sync)
        {
            foreach (var message in connection.Held ?? [])
            {
                connection.Enqueue(message);
            }

            connection.Held = null;
        }
    }

    /// <summary>Adds a group; returns the dispatched position from which its events arrive live, or null if the connection is at its limit.</summary>
    public long? Join(RealtimeConnection connection, string group, int maxGroups)
    {
        lock (_sync)
        {
            if (!connection.Audiences.Contains(group))
            {
                if (connection.Audiences.Count > maxGroups)
                {
                    return null;
                }

                connection.Audiences.Add(group);
                Listen(group, connection);
            }

            return _dispatched;
        }
    }

    public bool Leave(RealtimeConnection connection, string group)
    {
        lock (_sync)
        {
            if (!connection.Audiences.Remove(group))
            {
                return false;
            }

            Unlisten(group, connection);
            return true;
        }
    }

    public bool IsMember(RealtimeConnection connection, string group)
    {
        lock (_sync)
        {
            return connection.Audiences.Contains(group);
        }
    }

    public IReadOnlyList<string> GroupsOf(RealtimeConnection connection)
    {
        lock (_sync)
        {
            return [.. connection.Audiences.Where(a => !a.StartsWith(EventAudience.UserKind + ":", StringComparison.Ordinal))];
        }
    }

    /// <summary>
    /// When no connection here listens to anything, there is nothing to read: jump to <paramref name="position"/>.
    /// Atomic with <see cref="Subscribe"/>, so a client subscribing meanwhile catches up from the database instead.
    /// </summary>
    public bool TryAdvanceIdle(long position)
    {
        lock (_sync)
        {
            if (_subscribed > 0)
            {
                return false;
            }

            _dispatched = Math.Max(_dispatched, position);
            return true;
        }
    }

    /// <summary>Queues each event (in position order, all after <see cref="Dispatched"/>) to the connections listening to its audience.</summary>
    public void Dispatch(IReadOnlyList<StoredEvent> events)
    {
        lock (_sync)
        {
            foreach (var stored in events)
            {
                RealtimeMessage? message = null;
                foreach (var audience in stored.Audience)
                {
                    if (!_listeners.TryGetValue(audience, out var listeners))
                    {
                        continue;
                    }

                    foreach (var connection in listeners)
                    {
                        if (stored.Position <= connection.LastQueued)
                        {
                            continue;
                        }

                        connection.LastQueued = stored.Position;
                        message ??= new RealtimeMessage(stored.Position, stored.Type, null, stored.OccurredAt, stored.Payload);
                        if (connection.Held is { } held)
                        {
                            held.Add(message);
                        }
                        else
                        {
                            connection.Enqueue(message);
                        }
                    }
                }

                _dispatched = stored.Position;
            }
        }
    }

    /// <summary>Queues an ephemeral message to this instance's members of <paramref name="group"/>.</summary>
    public void SendToGroup(string group, RealtimeMessage message, string? exceptConnectionId)
    {
        lock (_sync)
        {
            if (!_listeners.TryGetValue(group, out var listeners))
            {
                return;
            }

            foreach (var connection in listeners)
            {
                if (connection.Id != exceptConnectionId)
                {
                    connection.Enqueue(message);
                }
            }
        }
    }

    public IReadOnlyList<RealtimeConnection> Find(Func<RealtimeConnection, bool> predicate)
    {
        lock (_sync)
        {
            return [.. _connections.Values.Where(predicate)];
        }
    }

    public IReadOnlyList<(RealtimeConnection Connection, IReadOnlyList<string> Groups)> Snapshot()
    {
        lock (_sync)
        {
            return [.. _connections.Values.Select(c => (c, (IReadOnlyList<string>)[.. c.Audiences.Where(a => !a.StartsWith(EventAudience.UserKind + ":", StringComparison.Ordinal))]))];
        }
    }

    private void Listen(string audience, RealtimeConnection connection)
    {
        if (!_listeners.TryGetValue(audience, out var listeners))
        {
            _listeners[audience] = listeners = [];
        }

        listeners.Add(connection);
    }

    private void Unlisten(string audience, RealtimeConnection connection)
    {
        if (_listeners.TryGetValue(audience, out var listeners) && listeners.Remove(connection) && listeners.Count == 0)
        {
            _listeners.Remove(audience);
        }
    }
}
