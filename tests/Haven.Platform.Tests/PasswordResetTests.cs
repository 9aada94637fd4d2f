using System.Text.RegularExpressions;
using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed partial class PasswordResetTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    [Fact]
    public async Task A_forgotten_password_is_reset_through_the_emailed_link()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        var session = await App.LoginAsync(user);

        (await App.CreateClient().PostJsonAsync("/api/auth/password/reset/", new { email = user.Email })).StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);

        var mail = await fixture.Smtp.WaitForAsync(m => m.To.Contains(user.Email));
        mail.Subject.Should().Be("Reset your Haven password");
        var link = LinkPattern().Match(mail.Body);
        link.Success.Should().BeTrue("the mail carries a link: {0}", mail.Body);
        link.Groups["base"].Value.Should().Be("http://127.0.0.1:5080/account/reset-password", "links use the configured public URL, never the request's Host");
        var token = Uri.UnescapeDataString(link.Groups["token"].Value);

        var confirm = await App.CreateClient().PostJsonAsync("/api/auth/password/reset/confirm", new { token, new_password = "willow canyon ember 88" });

        confirm.StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        await (await App.CreateClient(session.AccessToken).GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(401, "session_revoked");
        await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = "willow canyon ember 88" })).ShouldBeJsonAsync();
        await (await App.CreateClient().PostJsonAsync("/api/auth/password/reset/confirm", new { token, new_password = "another fresh phrase 9" }))
            .ShouldBeProblemAsync(400, "invalid_token");
        App.Logs.All.Should().NotContain(token, "the reset token is never logged");
    }

    [Fact]
    public async Task A_relay_that_refuses_for_a_while_still_delivers_the_reset_mail_once()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        fixture.Smtp.RejectNext(2);

        (await App.CreateClient().PostJsonAsync("/api/auth/password/reset", new { email = user.Email })).StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);

        var mail = await fixture.Smtp.WaitForAsync(m => m.To.Contains(user.Email));
        mail.Subject.Should().Be("Reset your Haven password");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        fixture.Smtp.Messages.Count(m => m.To.Contains(user.Email)).Should().Be(1, "a refused attempt is retried, a delivered one is not");
        App.Logs.All.Should().Contain("attempt 2").And.NotContain(user.Email, "the log names neither the recipient nor the token");
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_mail()
    {
        var email = $"nobody-{Guid.NewGuid():N}@test.haven";

        var response = await App.CreateClient().PostJsonAsync("/api/auth/password/reset", new { email });

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);
        var act = () => fixture.Smtp.WaitForAsync(m => m.To.Contains(email), TimeSpan.FromSeconds(1));
        await act.Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task A_reset_link_expires_after_an_hour()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        await App.CreateClient().PostJsonAsync("/api/auth/password/reset", new { email = user.Email });
        var token = Uri.UnescapeDataString(LinkPattern().Match((await fixture.Smtp.WaitForAsync(m => m.To.Contains(user.Email))).Body).Groups["token"].Value);
        fixture.Clock.Advance(TimeSpan.FromMinutes(61));

        await (await App.CreateClient().PostJsonAsync("/api/auth/password/reset/confirm", new { token, new_password = "willow canyon ember 88" }))
            .ShouldBeProblemAsync(400, "invalid_token");
    }

    [Fact]
    public async Task A_reset_also_lifts_a_lockout()
    {
        var user = await App.CreateUserAsync(HavenRoles.Pss.Candidate);
        for (var i = 0; i < 5; i++)
        {
            await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = "wrong guess " + i });
        }

        await App.CreateClient().PostJsonAsync("/api/auth/password/reset", new { email = user.Email });
        var token = Uri.UnescapeDataString(LinkPattern().Match((await fixture.Smtp.WaitForAsync(m => m.To.Contains(user.Email))).Body).Groups["token"].Value);
        await App.CreateClient().PostJsonAsync("/api/auth/password/reset/confirm", new { token, new_password = "willow canyon ember 88" });

        await (await App.CreateClient().PostJsonAsync("/api/auth/login", new { email = user.Email, password = "willow canyon ember 88" })).ShouldBeJsonAsync();
    }

    [GeneratedRegex(@"(?<base>https?://[^\s?]+)\?token=(?<token>[^\s]+)")]
    private static partial Regex LinkPattern();
}
