using AngleSharp.Html.Parser;
using Haven.Testing;

namespace Haven.Pss.Tests;

public sealed class ExportingMyDataTests(PssFixture fixture) : IClassFixture<PssFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_candidate_downloads_everything_held_about_them_as_json()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);
        await candidate.WriteEntryAsync(fixture.Today.AddDays(-1), "good", 7, "Yesterday", "Went well.");
        await candidate.WriteEntryAsync(fixture.Today, "okay", 5, "Today", "Fine.");

        var response = await candidate.GetAsync($"/api/pss/users/{me.Id}/export", TestContext.Current.CancellationToken);
        var export = await response.ShouldBeJsonAsync();

        response.Content.Headers.ContentDisposition!.ToString().Should().Contain("attachment").And.Contain("pss-data-2026-11-20.json");
        export["candidate"]!["email"]!.GetValue<string>().Should().Be(me.Email);
        export["profile"]!["diagnosis"]!.GetValue<string>().Should().Be("Epilepsy, well controlled");
        export["intake_submissions"]!.AsArray().Should().ContainSingle().Which!["form"]!["definition"]!["fields"]!.AsArray().Should().NotBeEmpty();
        export["journal_entries"]!.AsArray().Select(e => e!["title"]!.GetValue<string>()).Should().Equal("Yesterday", "Today");
    }

    [Fact]
    public async Task The_printable_version_shows_the_data_encoded_and_without_script()
    {
        var programme = await App.CreateProgrammeAsync();
        var (candidate, me) = await App.CandidateAsync(programme.Id);
        var form = await candidate.GetJsonAsync("/api/pss/intake/form");
        await (await candidate.PostJsonAsync("/api/pss/intake/submit", new { form_id = form["id"], responses = IntakeAnswers.Valid() })).ShouldBeJsonAsync(201);
        await candidate.WriteEntryAsync(fixture.Today, "low", 2, "<b>Bold?</b>", "<script>alert('x')</script>\nSecond line");

        var response = await candidate.GetAsync($"/api/pss/users/{me.Id}/export?format=html", TestContext.Current.CancellationToken);

        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var document = new HtmlParser().ParseDocument(html);
        document.QuerySelectorAll("script").Should().BeEmpty();
        document.QuerySelectorAll("[style]").Should().BeEmpty();
        document.QuerySelector("h1")!.TextContent.Should().StartWith("PSS data of");
        document.Body!.TextContent.Should().Contain("<script>alert('x')</script>", "the entry's text is shown as text").And.Contain("Second line");
        document.Body.TextContent.Should().Contain("Chronic illness", "choices are shown by their labels").And.Contain("Epilepsy, well controlled");
        document.QuerySelectorAll("h3").Select(h => h.TextContent).Should().Contain(t => t.Contains("<b>Bold?</b>"));
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'");
    }

    [Fact]
    public async Task An_unknown_format_is_refused()
    {
        var (candidate, me) = await App.CandidateAsync((await App.CreateProgrammeAsync()).Id);
        await (await candidate.GetAsync($"/api/pss/users/{me.Id}/export?format=pdf", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(400, "validation_failed");
    }
}
