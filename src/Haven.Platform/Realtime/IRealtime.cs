namespace Haven.Platform.Realtime;

/// <summary>
/// Realtime operations for module code outside a hub call. Stored, replayable events go through
/// <see cref="Events.IOutbox"/>; this is for what must not be stored (typing-like signals) and for access changes.
/// All of it reaches the clients of every app instance.
/// </summary>
public interface IRealtime
{
    /// <summary>Sends an ephemeral message (not stored, not replayed; at most ~7 KB of JSON) to everyone in <paramref name="group"/>.</summary>
    Task SendAsync(string group, string type, object payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the user's connections from the group at once (access revoked, e.g. a provider unassigned from a case);
    /// they are told with <c>group.removed</c> and receive nothing more from it. Joining again asks the authorizer again.
    /// </summary>
    Task RemoveFromGroupAsync(string group, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Closes the user's connections (all, or one session's): logout, session revocation, account lock.</summary>
    Task DisconnectAsync(Guid userId, Guid? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Users with at least one live connection in the group, on any instance.</summary>
    Task<IReadOnlyList<Guid>> OnlineUsersAsync(string group, CancellationToken cancellationToken = default);

    /// <summary>Whether the user has a live connection on any instance.</summary>
    Task<bool> IsOnlineAsync(Guid userId, CancellationToken cancellationToken = default);
}

/// <summary>Arguments of the <c>subscribe</c> hub call. <see cref="Cursor"/>: the highest position the client holds (null: live from now).</summary>
public sealed record SubscribeRequest(long? Cursor, IReadOnlyList<string>? Groups);

/// <summary>
/// Answer to <c>subscribe</c>. Every event up to <see cref="Position"/> for the client's audiences has been sent before
/// this answer, so the client may store max(its cursor, Position). <see cref="ResetRequired"/>: the cursor was older than
/// retention (or unknown to the server); the client reloads its state over REST and continues from <see cref="Position"/>.
/// </summary>
public sealed record SubscribeResult(bool Ok, string? Code, long Position, bool ResetRequired, IReadOnlyList<string> Joined, IReadOnlyList<string> Refused);

/// <summary>Answer to <c>join</c>: the group's events after <see cref="Position"/> arrive live; <see cref="Online"/> is its presence.</summary>
public sealed record JoinResult(bool Ok, string? Code, string Group, long Position, IReadOnlyList<Guid> Online);

public sealed record PresenceResult(bool Ok, string? Code, string Group, IReadOnlyList<Guid> Online);

public sealed record RealtimeResult(bool Ok, string? Code);

/// <summary>Stable codes in hub call answers.</summary>
public static class RealtimeCodes
{
    public const string AlreadySubscribed = "already_subscribed";
    public const string NotSubscribed = "not_subscribed";
    public const string GroupNotFound = "group_not_found";
    public const string TooManyGroups = "too_many_groups";
    public const string NotAMember = "not_a_member";
    public const string InvalidCursor = "invalid_cursor";
}
