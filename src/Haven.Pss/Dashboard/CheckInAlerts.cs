using Haven.Platform.Identity;
using Haven.Platform.Notifications;
using Haven.Pss.Access;
using Haven.Pss.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Dashboard;

/// <summary>
/// Tells a programme's admins when a journal change makes a candidate newly meet the check-in rule: an in-app
/// notification (category <see cref="Category"/>) naming the candidate and the reason, linking to their page; the push
/// is the platform's neutral prompt. Sent in the journal change's transaction, so it exists exactly if the change does.
/// A candidate who stays flagged is not announced again.
/// </summary>
public sealed class CheckInAlerts(PssDbContext db, IUserDirectory directory, INotifier notifier, TimeProvider clock)
{
    public const string Category = "pss.check_in";

    public static readonly NotificationCategory Declaration = new(Category, "PSS: a candidate may need a check-in");

    /// <summary>The candidate's flags from the entries saved so far (call before and after the change, inside its transaction).</summary>
    public async Task<IReadOnlyList<string>> FlagsAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var since = CheckInRule.WindowStart(today);
        var entries = await db.JournalEntries.AsNoTracking()
            .Where(e => e.UserId == candidateId && e.EntryDate >= since)
            .Select(e => new { e.EntryDate, e.CreatedAt, e.Mood, e.EnergyLevel })
            .ToListAsync(cancellationToken);
        return CheckInRule.Reasons(entries.Select(e => (e.EntryDate, e.CreatedAt, e.Mood, e.EnergyLevel)), today);
    }

    /// <summary>Notifies the candidate's programme admins of the reasons in <paramref name="after"/> that were not in <paramref name="before"/>.</summary>
    public async Task NotifyNewAsync(Candidate candidate, IReadOnlyList<string> before, IReadOnlyList<string> after, CancellationToken cancellationToken)
    {
        var added = after.Except(before).ToList();
        if (added.Count == 0 || candidate.TenantId is null)
        {
            return;
        }

        var user = await directory.FindAsync(candidate.Id, cancellationToken);
        var programmes = user?.TenantsOf(HavenRoles.Pss.Candidate) ?? [];
        var admins = await directory.IdsAsync(new DirectoryQuery(HavenRoles.Pss.Admin) { TenantIds = programmes }, cancellationToken);
        foreach (var admin in admins)
        {
            await notifier.NotifyAsync(db, new NotificationRequest(
                admin,
                Category,
                $"Check in with {candidate.Name}",
                string.Join("; ", added.Select(CheckInRule.Describe)) + ".",
                $"/pss/admin/candidates/{candidate.Id}"), cancellationToken);
        }
    }
}
