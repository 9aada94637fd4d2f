using System.Globalization;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Portal;
using Haven.Kintaraa.Providers;
using Haven.Platform.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages;

/// <summary>
/// The provider's availability, working hours and capacity (their profile, saved through <see cref="ProviderService"/>,
/// which also creates it the first time). Routing only offers cases to an available provider inside their hours (or on
/// call) with a free place.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Provider)]
public sealed class AvailabilityModel(ProviderService providers, KintaraaCaller caller) : PageModel
{
    public static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public ProviderProfile? Me { get; private set; }

    [BindProperty(Name = "display_name")]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Organisation { get; set; }

    [BindProperty(Name = "is_available")]
    public bool IsAvailable { get; set; } = true;

    [BindProperty(Name = "on_call")]
    public bool OnCall { get; set; }

    [BindProperty]
    public int? Capacity { get; set; }

    [BindProperty(Name = "time_zone")]
    public string? TimeZone { get; set; }

    [BindProperty]
    public int? Version { get; set; }

    /// <summary>Start and end per day (HH:mm, both empty: not working that day).</summary>
    public Dictionary<DayOfWeek, (string? Start, string? End)> Hours { get; } = [];

    public PortalForm? Form { get; private set; }

    public string? Notice { get; private set; }

    public async Task OnGetAsync(string? done, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Me is { } me)
        {
            DisplayName = me.DisplayName;
            Organisation = me.Organisation;
            IsAvailable = me.IsAvailable;
            OnCall = me.OnCall;
            Capacity = me.Capacity;
            TimeZone = me.TimeZone;
            Version = me.Version;
            foreach (var period in me.WorkingHours)
            {
                Hours[period.Day!.Value] = (Time(period.Start), Time(period.End));
            }
        }

        Notice = done == "saved" ? "Your availability has been saved." : null;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var form = new PortalForm();
        var periods = new List<WorkingPeriodDto>();
        foreach (var day in Week)
        {
            var start = Request.Form[$"start_{Key(day)}"].ToString();
            var end = Request.Form[$"end_{Key(day)}"].ToString();
            Hours[day] = (start, end);
            if (start.Length == 0 && end.Length == 0)
            {
                continue;
            }

            if (!TimeOnly.TryParse(start, CultureInfo.InvariantCulture, out var from) || !TimeOnly.TryParse(end, CultureInfo.InvariantCulture, out var to))
            {
                form.Add($"start_{Key(day)}", $"{PortalText.Day(day)}: give both a start and an end time, or neither.");
                continue;
            }

            periods.Add(new WorkingPeriodDto(day, from, to));
        }

        await LoadAsync(cancellationToken);
        if (!form.HasErrors)
        {
            // The profile's other fields (services, phone, place) are kept as they are: this page changes only its own.
            var me = Me;
            var result = await providers.SaveOwnAsync(new ProviderProfileRequest(Version, DisplayName ?? "", Organisation ?? "",
                me?.Specialisations.ToList(), me?.Services.ToList(), me?.Phone, me?.Address, me?.Latitude, me?.Longitude,
                string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim(), periods, IsAvailable, OnCall, Capacity), cancellationToken);
            if (result.Error is null)
            {
                return Redirect("/kintaraa/availability?done=saved");
            }

            form = PortalForm.Failed(result.Error);
        }

        Form = form;
        return Page();
    }

    public static string Key(DayOfWeek day) => day.ToString().ToLowerInvariant();

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Me = await caller.ProviderAsync(cancellationToken) is { } provider ? await providers.ReloadAsync(provider.Id, cancellationToken) : null;

    private static string? Time(TimeOnly? time) => time?.ToString("HH:mm", CultureInfo.InvariantCulture);
}
