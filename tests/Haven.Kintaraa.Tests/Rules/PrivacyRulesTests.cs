using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Evidence;

namespace Haven.Kintaraa.Tests.Rules;

public sealed class PrivacyRulesTests
{
    private static readonly CaseLocation Kibera = new(-1.313_456, 36.787_654, "Olympic estate, house 14", "near the market");

    [Fact]
    public void Exact_precision_keeps_what_the_survivor_gave() =>
        LocationPrivacy.Reduce(Kibera, LocationPrecision.Exact).Should().Be(Kibera);

    [Fact]
    public void Approximate_and_area_precision_round_coordinates_and_drop_the_address()
    {
        LocationPrivacy.Reduce(Kibera, LocationPrecision.Approximate).Should().Be(new CaseLocation(-1.31, 36.79, null, "near the market"));
        LocationPrivacy.Reduce(Kibera, LocationPrecision.Area).Should().Be(new CaseLocation(-1.3, 36.8, null, "near the market"));
    }

    [Fact]
    public void No_precision_keeps_only_the_survivors_own_words()
    {
        LocationPrivacy.Reduce(Kibera, LocationPrecision.None).Should().Be(new CaseLocation(null, null, null, "near the market"));
        LocationPrivacy.Reduce(Kibera with { Description = null }, LocationPrecision.None).Should().BeNull();
    }

    [Theory]
    [InlineData(NoteKind.Session, ProviderType.Police)]
    [InlineData(NoteKind.Session, ProviderType.Legal)]
    [InlineData(NoteKind.Medical, ProviderType.Police)]
    [InlineData(NoteKind.Legal, ProviderType.Police)]
    [InlineData(NoteKind.Investigation, ProviderType.Counseling)]
    public void Confidential_notes_are_not_shown_to_other_professions(NoteKind kind, ProviderType reader) =>
        NoteVisibility.CanRead(reader, kind).Should().BeFalse();

    [Theory]
    [InlineData(NoteKind.Session, ProviderType.Counseling)]
    [InlineData(NoteKind.Investigation, ProviderType.Legal)]
    [InlineData(NoteKind.General, ProviderType.Police)]
    [InlineData(NoteKind.Social, ProviderType.GbvRescue)]
    public void Notes_reach_the_professions_that_need_them(NoteKind kind, ProviderType reader) =>
        NoteVisibility.CanRead(reader, kind).Should().BeTrue();

    [Fact]
    public void Every_profession_can_read_what_it_may_write()
    {
        foreach (var type in Enum.GetValues<ProviderType>())
        {
            NoteVisibility.KindsWritableBy(type).Should().OnlyContain(k => NoteVisibility.CanRead(type, k));
        }

        NoteVisibility.CanWrite(ProviderType.Police, NoteKind.Session).Should().BeFalse();
    }

    [Theory]
    [InlineData("image/jpeg", EvidenceKind.Photo)]
    [InlineData("image/heic", EvidenceKind.Photo)]
    [InlineData("audio/mp4; codecs=mp4a", EvidenceKind.Audio)]
    [InlineData("video/quicktime", EvidenceKind.Video)]
    [InlineData("application/pdf", EvidenceKind.Document)]
    public void Evidence_kinds_follow_the_content_type(string contentType, EvidenceKind kind) =>
        EvidenceKinds.For(contentType).Should().Be(kind);

    [Theory]
    [InlineData("image/svg+xml")]
    [InlineData("application/x-msdownload")]
    [InlineData("text/html")]
    [InlineData("")]
    [InlineData("image/")]
    public void Content_that_is_not_evidence_is_refused(string contentType) =>
        EvidenceKinds.For(contentType).Should().BeNull();
}
