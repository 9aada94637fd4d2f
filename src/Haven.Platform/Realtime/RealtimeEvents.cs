namespace Haven.Platform.Realtime;

/// <summary>
/// Event names on the wire. Server → client messages are SignalR invocations whose method name is the event type
/// (<c>connection.on("assignment.new", e =&gt; …)</c>); client → server calls are hub methods named with
/// <c>[HubMethodName("message.send")]</c>. Names are dotted lower case, <c>noun.verb</c>, as in the Kintaraa seed.
/// The LERS seed's Socket.IO names map as: <c>join_chat</c> → <c>join</c>, <c>leave_chat</c> → <c>leave</c>,
/// <c>typing</c> → <c>typing</c>, <c>send_message</c> → <c>message.send</c>, <c>new_message</c> → <c>message.received</c>,
/// <c>user_typing</c> → <c>typing.changed</c>, <c>user_online</c>/<c>user_offline</c>/<c>presence_updated</c> →
/// <c>presence.changed</c>, <c>new_notification</c> → <c>notification.push</c>, <c>unread_count</c> → the
/// <c>unread_count</c> field of <c>notification.push</c> and <c>notification.read</c>.
/// </summary>
public static class RealtimeEvents
{
    // Client → server (hub methods modules implement on their hub).

    /// <summary>A participant sends a chat message to a group (case, request).</summary>
    public const string MessageSend = "message.send";

    /// <summary>A participant changes a record's status (e.g. a provider moves a case to in_progress).</summary>
    public const string StatusUpdate = "status.update";

    // Server → client (published through IOutbox; ordered, replayed on reconnect).

    /// <summary>A chat message was stored; sent to the group.</summary>
    public const string MessageReceived = "message.received";

    /// <summary>A record's status changed; sent to the group and the dashboards that list it.</summary>
    public const string StatusChanged = "status.changed";

    /// <summary>Something was assigned to the user (personal stream) or appeared on a dashboard.</summary>
    public const string AssignmentNew = "assignment.new";

    /// <summary>A notification was added to the user's list (personal stream; platform-published).</summary>
    public const string NotificationPush = "notification.push";

    /// <summary>Notifications were marked read on one of the user's devices (personal stream; platform-published).</summary>
    public const string NotificationRead = "notification.read";

    // Server → client, ephemeral (not stored, not replayed).

    /// <summary>Someone in the group started or stopped typing.</summary>
    public const string TypingChanged = "typing.changed";

    /// <summary>A user came online in or left the group.</summary>
    public const string PresenceChanged = "presence.changed";

    /// <summary>The connection was removed from a group (access revoked); it receives nothing more from it.</summary>
    public const string GroupRemoved = "group.removed";

    // Platform hub methods every Haven hub has.

    public const string Subscribe = "subscribe";
    public const string Join = "join";
    public const string Leave = "leave";
    public const string Typing = "typing";
    public const string Presence = "presence";
}
