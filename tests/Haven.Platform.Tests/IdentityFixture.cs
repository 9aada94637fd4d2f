using Haven.Platform.Identity;
using Haven.Platform.Web;
using Haven.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Haven.Platform.Tests;

public sealed record PortalCredentials(string Email, string Password);

/// <summary>An app on a hand-moved clock, with a recording SMTP server and probe endpoints (a hub path, portal sign-in).</summary>
public class IdentityFixture : HavenAppFixture
{
    public TestClock Clock { get; } = new();

    public SmtpRecorder Smtp { get; } = new();

    protected override void Configure(HavenTestAppOptions options)
    {
        options.Clock = Clock;
        Smtp.Configure(options);
        options.Settings["Haven:Smtp:RetryDelay"] = "00:00:00.200";
        // Failure-heavy tests share 127.0.0.1; the throttling test has its own app with a low limit.
        options.Settings["Haven:Identity:AddressFailureLimit"] = "10000";
        options.Endpoints = endpoints =>
        {
            endpoints.MapGet("/hubs/probe", (ICurrentUser user) => TypedResults.Ok(new { user_id = user.UserId }))
                .RequireAuthorization(HavenPolicies.SignedIn);
            // What a portal sign-in page does with the form it receives.
            endpoints.MapPost("/probe/portal/sign-in", async (PortalCredentials form, PortalSignIn portal, HttpContext http) =>
                    TypedResults.Ok(await portal.SignInAsync(http, form.Email, form.Password, http.RequestAborted)))
                .AllowAnonymous("test probe of the portal sign-in service");
            endpoints.MapPost("/probe/portal/sign-out", async (PortalSignIn portal, HttpContext http) =>
                {
                    await portal.SignOutAsync(http, http.RequestAborted);
                    return TypedResults.NoContent();
                })
                .RequireAuthorization(HavenPolicies.SignedIn);
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
