using Haven.EndToEnd.Tests.Pss;
using Haven.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Haven.EndToEnd.Tests.Kintaraa;

/// <summary>An app whose evidence limit is small enough for a browser test to go over it.</summary>
public sealed class CaseActionsFixture : HavenAppFixture
{
    public const int MaxEvidenceBytes = 64 * 1024;

    protected override void Configure(HavenTestAppOptions options) =>
        options.Settings["Kintaraa:MaxEvidenceBytes"] = MaxEvidenceBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// What a provider does to their own part of a case from its page: mark it done, hand it over, refer the survivor
/// onward, add evidence; each through the case services, and refused (404, nothing changed) to a provider not on the case.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CaseActionsTests(Browser browser, CaseActionsFixture fixture) : IClassFixture<CaseActionsFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_provider_marks_their_part_done_and_another_refers_onward_only_where_the_survivor_consented()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var counselor = await world.ProviderAsync("counseling", "Hope Counseling");
        var survivor = await world.SurvivorAsync();
        var incidentId = await ReportAsync(world, survivor, ["medical", "counseling", "police"], consented: ["medical", "counseling"]);
        await KintaraaWorld.AcceptAsync(clinic, incidentId);
        await KintaraaWorld.AcceptAsync(counselor, incidentId);
        // Created after routing, so the counseling referral went to the first counselor.
        var nextCounselor = await world.ProviderAsync("counseling", "Second Step Counseling");

        await using (var session = await browser.NewSessionAsync(App.BaseAddress))
        {
            await session.SignInAsync(App, counselor.User);
            var page = session.Page;
            page.SetDefaultTimeout(20_000);
            await page.GotoAsync($"/kintaraa/cases/{incidentId}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your part: Counseling" })).ToBeVisibleAsync();
            // By keyboard: write the closing note, tab to the button, press Enter.
            await page.GetByLabel("Closing note").FillAsync("Six sessions held; she has a safety plan.");
            await page.GetByLabel("Closing note").PressAsync("Tab");
            (await page.EvaluateAsync<string>("() => document.activeElement.textContent")).Should().Be("Mark my part done");
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync("**/kintaraa?done=part_done");
            await Expect(page.Locator(".alert--ok").First).ToContainTextAsync("Your part of the case is marked done");
            (await page.GotoAsync($"/kintaraa/cases/{incidentId}"))!.Status.Should().Be(404, "a provider whose part is done no longer sees the case");
        }

        (await App.ScalarAsync<string>("SELECT status FROM kintaraa.referrals WHERE incident_id = $1 AND service = 'counseling'", incidentId)).Should().Be("done");
        (await App.ScalarAsync<string>("SELECT status FROM kintaraa.incidents WHERE id = $1", incidentId)).Should().Be("in_progress",
            "one part done is not the whole case: the clinic still works it");

        await using (var session = await browser.NewSessionAsync(App.BaseAddress))
        {
            await session.SignInAsync(App, clinic.User);
            var page = session.Page;
            page.SetDefaultTimeout(20_000);
            await page.GotoAsync($"/kintaraa/cases/{incidentId}");
            await Expect(page.Locator("#refer-blocked")).ToContainTextAsync("Police: the survivor has not consented to a referral for it");
            (await page.Locator("#refer input[name=service]").EvaluateAllAsync<string[]>("els => els.map(e => e.value)")).Should().BeEquivalentTo(["counseling"],
                "only a service with the survivor's consent and no provider on the case can be referred");
            await page.GetByRole(AriaRole.Button, new() { Name = "Refer", Exact = true }).ClickAsync();
            await Expect(page.Locator("#refer .alert--error")).ToContainTextAsync("Choose the service");
            await Expect(page.Locator("#refer .alert--error")).ToBeFocusedAsync();

            await page.GetByLabel("Counseling").CheckAsync();
            await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Second Step Counseling desk (Second Step Counseling)" });
            await page.GetByLabel("Note for the provider").FillAsync("She asked for a new counselor closer to home.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Refer", Exact = true }).ClickAsync();
            await page.WaitForURLAsync($"**/kintaraa/cases/{incidentId}?done=referred#refer");
            await Expect(page.Locator(".alert--ok")).ToContainTextAsync("referred onward");
            await session.AssertAccessibleAsync();
            await session.AssertCleanAsync();
        }

        (await App.ScalarAsync<Guid>(
            "SELECT provider_id FROM kintaraa.referrals WHERE incident_id = $1 AND service = 'counseling' AND kind = 'onward' AND status = 'pending'", incidentId))
            .Should().Be(nextCounselor.Id);
    }

    [Fact]
    public async Task A_provider_hands_their_part_over_only_with_the_survivors_consent_recorded()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "medical");
        await KintaraaWorld.AcceptAsync(clinic, incidentId);
        var nextClinic = await world.ProviderAsync("healthcare", "Hilltop Hospital");

        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, clinic.User);
        var page = session.Page;
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync($"/kintaraa/cases/{incidentId}");
        await page.Locator("[id^=part-] summary").ClickAsync();
        await page.GetByLabel("To", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Hilltop Hospital desk (Hilltop Hospital)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Hand over" }).ClickAsync();
        var summary = page.Locator("[id^=part-] .alert--error");
        await Expect(summary).ToContainTextAsync("Say how the survivor agreed to the transfer");
        await Expect(summary).ToBeFocusedAsync();
        await session.AssertAccessibleAsync();
        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.referrals WHERE incident_id = $1", incidentId)).Should().Be(1, "nothing was handed over");

        await page.GetByLabel("They told me").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Hand over" }).ClickAsync();
        await page.WaitForURLAsync("**/kintaraa?done=transferred");
        await Expect(page.Locator(".alert--ok").First).ToContainTextAsync("being handed over with the survivor's consent");
        await session.AssertCleanAsync();

        (await App.ScalarAsync<Guid>("SELECT provider_id FROM kintaraa.referrals WHERE incident_id = $1 AND kind = 'transfer' AND status = 'pending'", incidentId))
            .Should().Be(nextClinic.Id);
        (await App.ScalarAsync<string>(
            "SELECT method FROM kintaraa.consents WHERE incident_id = $1 AND recorded_by_role = 'provider' ORDER BY recorded_at DESC LIMIT 1", incidentId)).Should().Be("verbal");
    }

    [Fact]
    public async Task Evidence_uploads_from_the_case_page_without_javascript_and_a_wrong_type_or_size_is_explained()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "medical");
        await KintaraaWorld.AcceptAsync(clinic, incidentId);

        await using (var plain = await browser.NewSessionAsync(App.BaseAddress, configure: o => o.JavaScriptEnabled = false))
        {
            await plain.SignInAsync(App, clinic.User);
            var page = plain.Page;
            page.SetDefaultTimeout(20_000);
            await page.GotoAsync($"/kintaraa/cases/{incidentId}");
            await page.GetByLabel("What it is").FillAsync("P3 form, page 1");
            await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "p3-form.png", MimeType = "image/png", Buffer = OnePixelPng });
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload evidence" }).ClickAsync();
            await Expect(page.Locator(".alert--ok")).ToContainTextAsync("The evidence has been added");
            await Expect(page.Locator("#evidence")).ToContainTextAsync("p3-form.png");
            await Expect(page.Locator("#evidence")).ToContainTextAsync("P3 form, page 1");
            await Expect(page.Locator("#evidence")).ToContainTextAsync("intact");

            await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(new FilePayload
            {
                Name = "tool.exe", MimeType = "application/octet-stream", Buffer = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00],
            });
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload evidence" }).ClickAsync();
            await Expect(page.Locator("#evidence .alert--error")).ToContainTextAsync("This kind of file is not accepted as evidence");
            await Expect(page.GetByLabel("File", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        }

        // With JavaScript the same form moves focus to its error summary; the page passes axe with the error shown.
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, clinic.User);
        var live = session.Page;
        live.SetDefaultTimeout(20_000);
        await live.GotoAsync($"/kintaraa/cases/{incidentId}");
        var tooLarge = new byte[CaseActionsFixture.MaxEvidenceBytes + 1];
        OnePixelPng.CopyTo(tooLarge, 0);
        await live.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "scan.png", MimeType = "image/png", Buffer = tooLarge });
        await live.GetByRole(AriaRole.Button, new() { Name = "Upload evidence" }).ClickAsync();
        await Expect(live.Locator("#evidence .alert--error")).ToContainTextAsync("The file is too large");
        await Expect(live.Locator("#evidence .alert--error")).ToBeFocusedAsync();

        await live.GetByRole(AriaRole.Button, new() { Name = "Upload evidence" }).ClickAsync();
        await Expect(live.Locator("#evidence .alert--error")).ToContainTextAsync("Choose a file to upload");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();

        (await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.evidence WHERE incident_id = $1", incidentId)).Should().Be(1);
    }

    [Fact]
    public async Task A_provider_not_on_the_case_posting_its_forms_gets_404_and_nothing_changes()
    {
        var world = new KintaraaWorld(App);
        var clinic = await world.ProviderAsync("healthcare", "Riverside Clinic");
        var police = await world.ProviderAsync("police", "Riverside Police Post");
        var survivor = await world.SurvivorAsync();
        var incidentId = await world.ReportAsync(survivor, "medical", "counseling");
        await KintaraaWorld.AcceptAsync(clinic, incidentId);
        var clinicPart = await App.ScalarAsync<Guid>("SELECT id FROM kintaraa.referrals WHERE incident_id = $1 AND service = 'medical'", incidentId);
        var before = await StateAsync(incidentId);

        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        await session.SignInAsync(App, police.User);
        await session.Page.GotoAsync("/kintaraa");
        var csrf = (await session.Page.Locator("meta[name=csrf-token]").GetAttributeAsync("content"))!;
        foreach (var (handler, form) in new (string, Dictionary<string, string>)[]
        {
            ("refer", new() { ["service"] = "counseling" }),
            ("transfer", new() { ["referral_id"] = clinicPart.ToString(), ["method"] = "verbal" }),
            ("done", new() { ["referral_id"] = clinicPart.ToString() }),
        })
        {
            var data = session.Context.APIRequest.CreateFormData();
            foreach (var (key, value) in form)
            {
                data.Set(key, value);
            }

            var response = await session.Context.APIRequest.PostAsync($"/kintaraa/cases/{incidentId}?handler={handler}",
                new() { Form = data, Headers = new Dictionary<string, string> { ["X-CSRF-TOKEN"] = csrf }, MaxRedirects = 0 });
            response.Status.Should().Be(404, "police posting {0} to another provider's case", handler);
        }

        // The upload form as the browser sends it: the token first, then the file.
        var upload = session.Context.APIRequest.CreateFormData();
        upload.Set("__RequestVerificationToken", csrf);
        upload.Set("file", new FilePayload { Name = "p3-form.png", MimeType = "image/png", Buffer = OnePixelPng });
        var uploaded = await session.Context.APIRequest.PostAsync($"/kintaraa/cases/{incidentId}/evidence", new() { Multipart = upload, MaxRedirects = 0 });
        uploaded.Status.Should().Be(404, "police uploading evidence to another provider's case");

        // Without the token nothing is read further, even by the provider working the case.
        await using var clinicSession = await browser.NewSessionAsync(App.BaseAddress);
        await clinicSession.SignInAsync(App, clinic.User);
        var forged = clinicSession.Context.APIRequest.CreateFormData();
        forged.Set("file", new FilePayload { Name = "p3-form.png", MimeType = "image/png", Buffer = OnePixelPng });
        (await clinicSession.Context.APIRequest.PostAsync($"/kintaraa/cases/{incidentId}/evidence", new() { Multipart = forged, MaxRedirects = 0 })).Status.Should().Be(400);

        (await StateAsync(incidentId)).Should().Be(before, "no refused form changed the case");
    }


    private async Task<string> StateAsync(Guid incidentId) =>
        $"{await App.ScalarAsync<string>("SELECT string_agg(service || ':' || status || ':' || coalesce(provider_id::text, '-'), ',' ORDER BY created_at) FROM kintaraa.referrals WHERE incident_id = $1", incidentId)}"
        + $" evidence={await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.evidence WHERE incident_id = $1", incidentId)}"
        + $" consents={await App.ScalarAsync<long>("SELECT count(*) FROM kintaraa.consents WHERE incident_id = $1", incidentId)}";

    private static async Task<Guid> ReportAsync(KintaraaWorld world, PortalSurvivor survivor, string[] services, string[] consented)
    {
        var body = await (await survivor.Client.PostJsonAsync("/api/kintaraa/incidents", new
        {
            id = Guid.NewGuid(), type = "physical", priority = "high", severity = "medium", description = "He hit me again last night.",
            location = new { latitude = world.Centre.Latitude, longitude = world.Centre.Longitude, address = "Plot 12, Riverside Drive" },
            location_precision = "approximate", support_services = services, consented_services = consented, is_anonymous = true,
        })).ShouldBeJsonAsync(201);
        return Guid.Parse(body["id"]!.GetValue<string>());
    }

    private static readonly byte[] OnePixelPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
}
