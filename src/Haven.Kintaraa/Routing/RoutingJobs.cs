using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Audit;
using Haven.Platform.Jobs;

namespace Haven.Kintaraa.Routing;

/// <summary>Once per cluster, every <see cref="KintaraaOptions.SweepInterval"/>: lapsed offers re-routed, the admin queue retried.</summary>
internal sealed class RoutingSweepJob(RoutingSweep sweep, CaseJournal journal) : IJobHandler
{
    public const string Kind = "kintaraa.routing_sweep";

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        journal.Actor = AuditActor.System(Kind);
        await sweep.ExpireOverdueAsync(cancellationToken);
        await sweep.RetryQueuedAsync(cancellationToken);
        return JobOutcome.Done;
    }
}

/// <summary>Once per cluster, every few minutes: appointment and court-date reminders that have come due.</summary>
internal sealed class ReminderJob(AppointmentReminders reminders, CaseJournal journal) : IJobHandler
{
    public const string Kind = "kintaraa.reminders";

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        journal.Actor = AuditActor.System(Kind);
        await reminders.RunOnceAsync(cancellationToken);
        return JobOutcome.Done;
    }
}
