using System.ComponentModel.DataAnnotations;

namespace Haven.Platform.Events;

/// <summary>Settings under <c>Haven:Events</c>.</summary>
public sealed class EventsOptions
{
    public const string Section = "Haven:Events";

    /// <summary>How long sequenced events stay available for catch-up; a client whose cursor is older must resynchronise.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the sequencer and dispatcher look for work when no notification arrived (a safety net; NOTIFY is the fast path).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most events sequenced in one transaction.</summary>
    [Range(1, 100_000)]
    public int SequencerBatchSize { get; set; } = 1000;
}
