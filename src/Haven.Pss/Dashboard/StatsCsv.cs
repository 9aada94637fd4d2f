using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Haven.Pss.Data;

namespace Haven.Pss.Dashboard;

/// <summary>
/// The cohort statistics as CSV for spreadsheets: one line per candidate, or one per week. Cells that a spreadsheet
/// would run as a formula (starting with =, +, -, @, tab or carriage return — a candidate can choose such a display
/// name) are escaped with a leading apostrophe.
/// </summary>
public static class StatsCsv
{
    public const string Candidates = "candidates";
    public const string Weekly = "weekly";

    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        InjectionOptions = InjectionOptions.Escape,
        NewLine = "\r\n",
    };

    public static byte[] Write(StatsSnapshot snapshot, string report)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, Configuration))
        {
            if (report == Weekly)
            {
                WriteWeekly(csv, snapshot.Stats);
            }
            else
            {
                WriteCandidates(csv, snapshot.Rows);
            }
        }

        // A byte-order mark so spreadsheet programs read the names as UTF-8.
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static void WriteCandidates(CsvWriter csv, IReadOnlyList<CandidateStatsRow> rows)
    {
        foreach (var header in new[]
        {
            "candidate_id", "name", "email", "programme_id", "intake_completed", "entries_in_period", "last_entry_date",
            "latest_mood", "average_mood", "average_energy", "check_in_flags",
        })
        {
            csv.WriteField(header);
        }

        csv.NextRecord();
        foreach (var r in rows)
        {
            csv.WriteField(r.UserId.ToString("D"));
            csv.WriteField(r.Name);
            csv.WriteField(r.Email ?? "");
            csv.WriteField(r.TenantId?.ToString("D") ?? "");
            csv.WriteField(r.IntakeCompleted ? "yes" : "no");
            csv.WriteField(r.EntriesInPeriod.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.LastEntryDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(r.LatestMood is { } mood ? Moods.Name(mood) : "");
            csv.WriteField(r.AverageMood?.ToString("0.##", CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(r.AverageEnergy?.ToString("0.##", CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(string.Join(' ', r.Flags));
            csv.NextRecord();
        }
    }

    private static void WriteWeekly(CsvWriter csv, DashboardStats stats)
    {
        foreach (var header in new[] { "week_start", "week_end", "entries", "active_candidates", "average_mood", "average_energy", "low_mood_entries" })
        {
            csv.WriteField(header);
        }

        csv.NextRecord();
        foreach (var p in stats.WeeklyTrend)
        {
            csv.WriteField(p.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            csv.WriteField(p.PeriodEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            csv.WriteField(p.Entries.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(p.ActiveCandidates.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(p.AverageMood?.ToString("0.##", CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(p.AverageEnergy?.ToString("0.##", CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(p.LowMoodEntries.ToString(CultureInfo.InvariantCulture));
            csv.NextRecord();
        }
    }
}
