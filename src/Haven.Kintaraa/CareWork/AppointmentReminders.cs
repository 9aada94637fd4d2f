using System.Globalization;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Kintaraa.CareWork;

/// <summary>
/// Sends the reminders of scheduled appointments, sessions and court dates: at each configured lead time before the
/// start, once, to the survivor and the provider. Each appointment records the last lead time reminded, so a run that
/// is repeated (or two instances running it) never reminds twice; rescheduling starts the reminders over.
/// </summary>
public sealed class AppointmentReminders(KintaraaDbContext db, CaseTransactions transactions, CaseJournal journal, TimeProvider clock, IOptions<KintaraaOptions> options)
{
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var leads = options.Value.ReminderLeadMinutes.Distinct().OrderDescending().ToArray();
        var horizon = now.AddMinutes(leads.Max());
        var due = await db.Appointments.AsNoTracking()
            .Where(a => a.Status == AppointmentStatus.Scheduled && a.StartsAt > now && a.StartsAt <= horizon)
            .Select(a => new { a.Id, a.StartsAt, a.LastReminderMinutes })
            .ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var candidate in due)
        {
            // The smallest lead time already reached is the one to send; larger ones passed while nobody was running.
            var lead = leads.Where(l => candidate.StartsAt - TimeSpan.FromMinutes(l) <= now).DefaultIfEmpty(-1).Min();
            if (lead < 0 || (candidate.LastReminderMinutes is { } last && last <= lead))
            {
                continue;
            }

            var outcome = await transactions.RunAsync<bool>(async ct =>
            {
                var appointment = (await db.Appointments.FromSql($"SELECT * FROM kintaraa.appointments WHERE id = {candidate.Id} FOR UPDATE SKIP LOCKED").ToListAsync(ct)).SingleOrDefault();
                if (appointment is null || appointment.Status != AppointmentStatus.Scheduled || appointment.LastReminderMinutes is { } done && done <= lead)
                {
                    return false;
                }

                appointment.LastReminderMinutes = lead;
                var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == appointment.IncidentId, ct);
                var providerUser = await db.Providers.Where(p => p.Id == appointment.ProviderId).Select(p => p.UserId).FirstAsync(ct);
                journal.Publish("appointment.reminder", new
                {
                    incident_id = appointment.IncidentId,
                    appointment_id = appointment.Id,
                    kind = SnakeEnum<AppointmentKind>.Name(appointment.Kind),
                    starts_at = appointment.StartsAt,
                    minutes_before = lead,
                    text = string.Create(CultureInfo.InvariantCulture, $"{CareWorkEndpoints.Describe(appointment.Kind)} in {Lead(lead)}."),
                }, Recipients.To(incident.SurvivorId, providerUser));
                var text = string.Create(CultureInfo.InvariantCulture, $"{CareWorkEndpoints.Describe(appointment.Kind)} in {Lead(lead)} ({incident.CaseNumber})");
                journal.Notify(incident.SurvivorId, KintaraaNotifications.Reminder, text, incident.Id);
                journal.Notify(providerUser, KintaraaNotifications.Reminder, text, incident.Id);
                journal.Audit("kintaraa.appointment.reminded", "appointment", appointment.Id, new { minutes_before = lead });
                return true;
            }, cancellationToken);
            sent += outcome.Value ? 1 : 0;
        }

        return sent;
    }

    private static string Lead(int minutes) => minutes switch
    {
        >= 1440 when minutes % 1440 == 0 => minutes == 1440 ? "1 day" : $"{minutes / 1440} days",
        >= 60 when minutes % 60 == 0 => minutes == 60 ? "1 hour" : $"{minutes / 60} hours",
        _ => $"{minutes} minutes",
    };
}
