using Haven.Platform.Identity;
using Haven.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Haven.Platform.Tests;

/// <summary>An app on a hand-moved clock, with a recording SMTP server and a probe hub endpoint.</summary>
public class IdentityFixture : HavenAppFixture
{
    public TestClock Clock { get; } = new();

    public SmtpRecorder Smtp { get; } = new();

    protected override void Configure(HavenTestAppOptions options)
    {
        options.Clock = Clock;
        Smtp.Configure(options);
        // Failure-heavy tests share 127.0.0.1; the throttling test has its own app with a low limit.
        options.Settings["Haven:Identity:AddressFailureLimit"] = "10000";
        options.Endpoints = endpoints =>
            endpoints.MapGet("/hubs/probe", (ICurrentUser user) => TypedResults.Ok(new { user_id = user.UserId }))
                .RequireAuthorization(HavenPolicies.SignedIn);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
