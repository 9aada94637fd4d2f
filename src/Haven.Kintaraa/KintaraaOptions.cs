using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Routing;

namespace Haven.Kintaraa;

/// <summary>Kintaraa settings, section <c>Kintaraa</c>; validated at start-up.</summary>
public sealed class KintaraaOptions : IValidatableObject
{
    public const string Section = "Kintaraa";

    /// <summary>The day in a case number (<c>KIN-YYMMDD…</c>) is the reporting day in this IANA time zone.</summary>
    [Required]
    public string CaseNumberTimeZone { get; set; } = "Africa/Nairobi";

    public RoutingSettings Routing { get; set; } = new();

    /// <summary>An offer nobody answers within this time is re-routed to the next provider.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The same for critical cases (SOS included).</summary>
    public TimeSpan CriticalResponseTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often queued referrals (no provider could take them) are tried again and admins reminded.</summary>
    public TimeSpan QueueRetryInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often lapsed offers and the admin queue are swept (once per cluster).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often due appointment reminders are sent (once per cluster).</summary>
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest evidence file accepted (videos are big; the upload streams, so memory does not grow with it).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxEvidenceBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Reminders before appointments and court dates, in minutes before the start (largest first).</summary>
    public int[] ReminderLeadMinutes { get; set; } = [24 * 60, 60];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!WorkingHours.TryFindTimeZone(CaseNumberTimeZone, out _))
        {
            yield return new ValidationResult($"Kintaraa:CaseNumberTimeZone '{CaseNumberTimeZone}' is not a known time zone.");
        }

        if (ResponseTimeout <= TimeSpan.Zero || CriticalResponseTimeout <= TimeSpan.Zero || QueueRetryInterval <= TimeSpan.Zero
            || SweepInterval < TimeSpan.FromSeconds(1) || ReminderInterval < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Kintaraa response timeouts and intervals must be positive (sweeps at least a second apart).");
        }

        if (Routing.DistanceBandKm <= 0 || Routing.MaxDistanceKm <= 0)
        {
            yield return new ValidationResult("Kintaraa:Routing distances must be positive.");
        }

        if (ReminderLeadMinutes.Any(m => m <= 0))
        {
            yield return new ValidationResult("Kintaraa:ReminderLeadMinutes must be positive.");
        }
    }
}
