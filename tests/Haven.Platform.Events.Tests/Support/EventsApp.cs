using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Testing;
using Haven.Testing.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests.Support;

/// <summary>How every app in these tests is set up: two test group kinds, two notification categories, quick polling.</summary>
public static class EventsApp
{
    public const string UpdatesCategory = "test.updates";
    public const string DigestCategory = "test.digest";

    public static void Configure(HavenTestAppOptions options, CaseAccess access, FakeFcm? fcm = null, Action<IServiceCollection>? services = null)
    {
        options.Settings["Haven:Events:PollInterval"] = "00:00:00.500";
        options.Settings["Haven:Jobs:PollInterval"] = "00:00:00.100";
        options.Settings["Haven:Realtime:HeartbeatInterval"] = "00:00:00.500";
        options.Settings["Haven:Realtime:InstanceTimeout"] = "00:00:05";
        if (fcm is not null)
        {
            options.Settings["Haven:Push:Fcm:BaseUrl"] = fcm.BaseAddress.ToString();
            options.Settings["Haven:Push:Fcm:ServiceAccountJson"] = fcm.ServiceAccountJson;
        }

        options.Services = s =>
        {
            s.AddSingleton(access);
            s.AddRealtimeGroup<CaseGroupAuthorizer>("case");
            s.AddRealtimeGroup<DashboardGroupAuthorizer>("provider-dashboard");
            s.AddNotificationCategory(new NotificationCategory(UpdatesCategory, "Case updates"));
            s.AddNotificationCategory(new NotificationCategory(DigestCategory, "Weekly digest", PushByDefault: false));
            services?.Invoke(s);
        };
    }

    /// <summary>Publishes events the way a module does: inside its own DbContext transaction.</summary>
    public static Task PublishAsync(this HavenTestApp app, params EventEnvelope[] events) =>
        app.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<PlatformDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await services.GetRequiredService<IOutbox>().EnqueueAsync(db, events);
            await transaction.CommitAsync();
        });

    public static EventEnvelope ToUser(Guid user, string type, object payload) => EventEnvelope.Create(type, [EventAudience.User(user)], payload);

    public static EventEnvelope ToGroup(string group, string type, object payload) => EventEnvelope.Create(type, [group], payload);

    /// <summary>
    /// A real account with a personal stream: a Kintaraa survivor, because that role signs in without a second factor,
    /// so each sign-in in these tests is one request.
    /// </summary>
    public static Task<TestUser> NewUserAsync(this HavenTestApp app) => app.CreateUserAsync(HavenRoles.Kintaraa.Survivor);

    /// <summary>A new account as <see cref="NewUserAsync"/>, signed in, with an HTTP client that sends its access token.</summary>
    public static Task<(HttpClient Client, TestUser User)> NewSignedInUserAsync(this HavenTestApp app) =>
        app.SignedInClientAsync(HavenRoles.Kintaraa.Survivor);

    /// <summary>Signs <paramref name="user"/> in through the real API (a new session, like a new device) and opens the platform hub with its access token.</summary>
    public static async Task<RealtimeClient> ConnectAsync(this RealtimeClients clients, HavenTestApp app, TestUser user) =>
        await clients.ConnectAsync(app, (await app.LoginAsync(user)).AccessToken);

    public static Task<RealtimeClient> ConnectAsync(this RealtimeClients clients, HavenTestApp app, string accessToken) =>
        clients.ConnectAsync(app.BaseAddress, PlatformHub.Path, accessToken, "test.ping", "test.changed");
}

/// <summary>One app and one Node process of realtime clients per test class.</summary>
public class EventsAppFixture : IAsyncLifetime
{
    private HavenTestApp? _app;
    private RealtimeClients? _clients;

    public CaseAccess Access { get; } = new();

    public HavenTestApp App => _app ?? throw new InvalidOperationException("not started");

    public RealtimeClients Clients => _clients ?? throw new InvalidOperationException("not started");

    public virtual async ValueTask InitializeAsync()
    {
        _app = await HavenTestApp.StartAsync(o =>
        {
            EventsApp.Configure(o, Access);
            Configure(o);
        });
        _clients = await RealtimeClients.StartAsync();
    }

    /// <summary>For fixtures that need the app set up differently (e.g. a hand-driven clock).</summary>
    protected virtual void Configure(HavenTestAppOptions options)
    {
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
