using Haven.Platform.Notifications;
using Haven.Testing;
using Haven.Testing.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Events.Tests.Support;

/// <summary>An app whose push goes to a local FCM recorder, plus realtime clients.</summary>
public sealed class NotificationsFixture : IAsyncLifetime
{
    public FakeFcm Fcm { get; private set; } = null!;

    public HavenTestApp App { get; private set; } = null!;

    public RealtimeClients Clients { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Fcm = await FakeFcm.StartAsync();
        App = await HavenTestApp.StartAsync(o => EventsApp.Configure(o, new CaseAccess(), Fcm));
        Clients = await RealtimeClients.StartAsync();
    }

    /// <summary>What a module does: notify inside its own transaction (here without one: the notifier opens its own).</summary>
    public Task<Guid> NotifyAsync(NotificationRequest request) =>
        App.Services.GetRequiredService<INotifier>().NotifyAsync(request, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Clients.DisposeAsync();
        await App.DisposeAsync();
        await Fcm.DisposeAsync();
    }
}
