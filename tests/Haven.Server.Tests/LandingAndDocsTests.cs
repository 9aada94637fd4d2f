using AngleSharp.Html.Parser;
using Haven.Testing;

namespace Haven.Server.Tests;

public sealed class LandingAndDocsTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    [Fact]
    public async Task Landing_page_links_every_enabled_portal_and_the_api_docs()
    {
        var html = await fixture.App.CreateClient().GetStringAsync("/", TestContext.Current.CancellationToken);

        var document = new HtmlParser().ParseDocument(html);
        var links = document.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        links.Should().Contain(["/kintaraa", "/lers", "/pss", "/ndas", "/docs"]);
        document.QuerySelector("html")!.GetAttribute("lang").Should().Be("en");
    }

    [Fact]
    public async Task Only_enabled_modules_are_served()
    {
        await using var app = await HavenTestApp.StartAsync(o => o.Modules = ["pss"]);
        var client = app.CreateClient();

        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var links = new HtmlParser().ParseDocument(html).QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();

        links.Should().Contain("/pss").And.NotContain("/kintaraa");
        (await client.GetAsync("/pss", TestContext.Current.CancellationToken)).IsSuccessStatusCode.Should().BeTrue();
        await (await client.GetAsync("/kintaraa", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task Portal_pages_load_their_styles_from_this_server()
    {
        var client = fixture.App.CreateClient();
        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var document = new HtmlParser().ParseDocument(html);

        foreach (var href in document.QuerySelectorAll("link[rel=stylesheet], script[src]").Select(e => e.GetAttribute("href") ?? e.GetAttribute("src")))
        {
            href.Should().StartWith("/", "the content security policy allows only same-origin assets");
            var asset = await client.GetAsync(href, TestContext.Current.CancellationToken);
            asset.IsSuccessStatusCode.Should().BeTrue("{0} must be served", href);
        }
    }

    [Fact]
    public async Task OpenApi_document_describes_auth_and_errors()
    {
        var document = await (await fixture.App.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).ShouldBeJsonAsync();

        document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>().Should().Be("bearer");
        document["components"]!["schemas"]!["Problem"].Should().NotBeNull();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var description = operation!["description"]?.GetValue<string>() ?? "";
                description.Should().Contain("Auth:", "{0} {1} must state its auth requirement", method, path);
                operation["responses"]!.AsObject().Should().ContainKey("500", "{0} {1} documents its error responses", method, path);
            }
        }
    }

    [Fact]
    public async Task Interactive_docs_are_served_at_docs()
    {
        var response = await fixture.App.CreateClient().GetAsync("/docs/index.html", TestContext.Current.CancellationToken);

        response.IsSuccessStatusCode.Should().BeTrue();
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("swagger-ui");
    }
}
