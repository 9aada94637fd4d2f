using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Tests.Support;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Cases;

/// <summary>Its own app (own database), so the day's counter starts at 001 here.</summary>
public sealed class CaseNumbersUnderLoadTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task Reports_arriving_together_each_get_their_own_number_of_the_day()
    {
        // Accounts one by one (password hashing is CPU-bound and not under test); only the reports arrive together.
        var survivors = new List<SurvivorHandle>();
        for (var i = 0; i < 40; i++)
        {
            survivors.Add(await World.SurvivorAsync());
        }

        var incidents = await Task.WhenAll(survivors.Select(s => World.ReportAsync(s, World.Report([]))));

        incidents.Select(i => i.CaseNumber).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(Enumerable.Range(1, 40).Select(n => CaseNumbers.Format(new DateOnly(2026, 11, 24), n)));
    }

    [Fact]
    public async Task The_day_in_a_case_number_is_the_reporting_day_in_Nairobi()
    {
        var survivor = await World.SurvivorAsync();
        Clock.Set(new DateTimeOffset(2026, 11, 24, 21, 30, 0, TimeSpan.Zero));
        survivor = survivor with { Client = await App.ClientForAsync(survivor.User) };

        var incident = await World.ReportAsync(survivor, World.Report([]));

        incident.CaseNumber.Should().StartWith("KIN-261125", "21:30 UTC is already the next day in Nairobi");
    }
}
