using Haven.Platform.Identity;
using Haven.Platform.Identity.Mfa;
using Haven.Testing;
using Microsoft.Playwright;

namespace Haven.EndToEnd.Tests.Account;

public sealed class PortalAppFixture : HavenAppFixture
{
    protected override void Configure(HavenTestAppOptions options)
    {
        options.Settings["Haven:Portal:IdleTimeoutSeconds"] = "60";
        options.Settings["Haven:Portal:IdleWarningSeconds"] = "20";
    }
}

[Collection(BrowserCollection.Name)]
public sealed class SigningInTests(Browser browser, PortalAppFixture fixture) : IClassFixture<PortalAppFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task Staff_sign_in_with_a_code_and_return_to_the_page_they_asked_for()
    {
        var user = await App.CreateUserAsync(HavenRoles.Ndas.Clinician, (await App.CreateTenantAsync("ndas")).Id);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;

        await page.GotoAsync("/account");
        page.Url.Should().Contain("/account/login?returnUrl=%2Faccount");
        await session.AssertAccessibleAsync();

        await page.GetByLabel("Email address").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByLabel("Verification code").WaitForAsync();
        await session.AssertAccessibleAsync();
        await page.GetByLabel("Verification code").FillAsync(user.NextTotpCode(TimeProvider.System));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();

        await page.WaitForURLAsync("**/account");
        (await page.Locator("h1").InnerTextAsync()).Should().Be("My account");
        (await page.Locator("main").InnerTextAsync()).Should().Contain(user.Email).And.Contain("this browser");
        await session.AssertAccessibleAsync();
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task A_wrong_password_says_so_without_revealing_whether_the_account_exists()
    {
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;
        await page.GotoAsync("/account/login");

        await page.GetByLabel("Email address").FillAsync("nobody-" + Guid.NewGuid().ToString("N")[..6] + "@haven.example");
        await page.GetByLabel("Password").FillAsync("not the password at all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        (await alert.InnerTextAsync()).Should().NotBeNullOrWhiteSpace().And.NotContainEquivalentOf("not found");
        (await page.GetByLabel("Password").InputValueAsync()).Should().BeEmpty("a password is never sent back into the page");
    }

    [Fact]
    public async Task Staff_without_two_step_verification_enrol_before_anything_else()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Admin, (await App.CreateTenantAsync("pss")).Id, withMfa: false);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;
        await SignInWithPasswordAsync(page, user);

        await page.WaitForURLAsync("**/account/mfa-setup**");
        await session.AssertAccessibleAsync();
        var secret = Base32Decode((await page.GetByLabel("Setup key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal));
        await page.GetByLabel("Enter the 6-digit code the app shows").FillAsync(Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-step verification" }).ClickAsync();

        (await page.Locator(".codes li").CountAsync()).Should().Be(10);
        await page.GetByRole(AriaRole.Link, new() { Name = "I have stored them — continue" }).ClickAsync();
        await page.GotoAsync("/account");
        (await page.Locator("h1").InnerTextAsync()).Should().Be("My account", "the session was upgraded once the second factor was proven");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;
        await SignInWithPasswordAsync(page, user);
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        var access = (await session.Context.CookiesAsync()).Single(c => c.Name == "haven.access").Value;

        await page.GotoAsync("/account");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();

        await page.WaitForURLAsync("**/account/login?reason=signed_out");
        (await page.Locator(".alert[role=status]").InnerTextAsync()).Should().Contain("You have signed out");
        var stolen = await App.CreateClient(access).GetAsync("/api/auth/me", TestContext.Current.CancellationToken);
        await stolen.ShouldBeProblemAsync(401, "session_revoked");
        await session.AssertCleanAsync();
    }

    [Fact]
    public async Task An_idle_page_warns_offers_to_stay_and_then_signs_out()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        await using var session = await browser.NewSessionAsync(App.BaseAddress);
        var page = session.Page;
        await page.Clock.InstallAsync();
        await SignInWithPasswordAsync(page, user);
        await page.GotoAsync("/account");

        await page.Clock.FastForwardAsync("00:45");
        var dialog = page.GetByRole(AriaRole.Alertdialog);
        await dialog.WaitForAsync();
        (await dialog.InnerTextAsync()).Should().Contain("signed out in");
        await session.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Stay signed in" }).ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden });

        await page.Clock.FastForwardAsync("01:05");
        await page.WaitForURLAsync("**/account/login?reason=timeout");
        (await page.Locator(".alert[role=status]").InnerTextAsync()).Should().Contain("without activity");
    }

    private static async Task SignInWithPasswordAsync(IPage page, TestUser user)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email address").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static byte[] Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            value = (value << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
