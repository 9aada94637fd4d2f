using System.ComponentModel.DataAnnotations;

namespace Haven.Platform.Realtime;

/// <summary>Settings under <c>Haven:Realtime</c>.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Haven:Realtime";

    /// <summary>How often an instance proves it is alive (its presence rows count only while it does).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An instance silent for this long is considered gone: its users drop out of presence and its rows are swept.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan InstanceTimeout { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>Messages waiting for one slow client before it is disconnected (it catches up from its cursor on reconnect).</summary>
    [Range(10, 1_000_000)]
    public int MaxQueuedMessagesPerConnection { get; set; } = 5000;

    [Range(1, 10_000)]
    public int MaxGroupsPerConnection { get; set; } = 100;

    /// <summary>Repeated typing signals with the same state inside this window are dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan TypingThrottle { get; set; } = TimeSpan.FromSeconds(1);
}
