using Haven.Kintaraa.Data;
using Haven.Kintaraa.Routing;

namespace Haven.Kintaraa.Tests.Rules;

public sealed class WorkingHoursTests
{
    // Tuesday 2026-11-24 06:30 UTC is 09:30 in Nairobi (UTC+3) and 01:30 in New York (UTC-5).
    private static readonly DateTimeOffset TuesdayMorningInNairobi = new(2026, 11, 24, 6, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Office_hours_are_read_in_the_providers_own_time_zone()
    {
        var hours = WorkingHours.OfficeHours();

        WorkingHours.Covering(hours, "Africa/Nairobi", TuesdayMorningInNairobi).Should().NotBeNull();
        WorkingHours.Covering(hours, "America/New_York", TuesdayMorningInNairobi).Should().BeNull();
    }

    [Fact]
    public void A_night_shift_runs_past_midnight_into_the_next_day()
    {
        List<WorkingPeriod> nights = [new(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0))];

        // Tuesday 03:00 Nairobi is still Monday's night shift; Tuesday 07:00 is not.
        WorkingHours.Covering(nights, "Africa/Nairobi", new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero)).Should().NotBeNull();
        WorkingHours.Covering(nights, "Africa/Nairobi", new DateTimeOffset(2026, 11, 24, 4, 0, 0, TimeSpan.Zero)).Should().BeNull();
        // Monday 21:00 Nairobi is before the shift.
        WorkingHours.Covering(nights, "Africa/Nairobi", new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero)).Should().BeNull();
    }

    [Fact]
    public void Around_the_clock_covers_every_minute_of_the_week()
    {
        var always = WorkingHours.AroundTheClock();
        for (var minutes = 0; minutes < 7 * 24 * 60; minutes += 37)
        {
            WorkingHours.Covering(always, "Africa/Nairobi", TuesdayMorningInNairobi.AddMinutes(minutes)).Should().NotBeNull();
        }
    }

    [Fact]
    public void The_end_of_a_period_is_outside_it()
    {
        List<WorkingPeriod> hours = [new(DayOfWeek.Tuesday, new TimeOnly(8, 0), new TimeOnly(9, 30))];

        WorkingHours.Covering(hours, "Africa/Nairobi", TuesdayMorningInNairobi).Should().BeNull();
        WorkingHours.Covering(hours, "Africa/Nairobi", TuesdayMorningInNairobi.AddMinutes(-1)).Should().NotBeNull();
    }

    [Fact]
    public void No_hours_or_an_unknown_time_zone_is_never_open()
    {
        WorkingHours.Covering([], "Africa/Nairobi", TuesdayMorningInNairobi).Should().BeNull();
        WorkingHours.Covering(WorkingHours.AroundTheClock(), "Mars/Olympus_Mons", TuesdayMorningInNairobi).Should().BeNull();
    }
}
