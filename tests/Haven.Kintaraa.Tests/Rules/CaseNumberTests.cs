using Haven.Kintaraa.Cases;

namespace Haven.Kintaraa.Tests.Rules;

public sealed class CaseNumberTests
{
    [Theory]
    [InlineData(2024, 12, 17, 1, "KIN-241217001")]
    [InlineData(2026, 1, 5, 42, "KIN-260105042")]
    [InlineData(2026, 11, 21, 1000, "KIN-2611211000")]
    public void Case_numbers_read_KIN_date_and_the_days_count(int year, int month, int day, int sequence, string expected) =>
        CaseNumbers.Format(new DateOnly(year, month, day), sequence).Should().Be(expected);

    [Fact]
    public void Handles_are_short_unambiguous_and_different_every_time()
    {
        var handles = Enumerable.Range(0, 1000).Select(_ => CaseNumbers.NewHandle()).ToList();

        handles.Should().OnlyContain(h => h.Length == 10 && h.StartsWith("S-", StringComparison.Ordinal));
        handles.SelectMany(h => h.Substring(2)).Should().NotContain(['I', 'L', 'O', 'U']);
        handles.Distinct().Should().HaveCount(1000);
    }
}
