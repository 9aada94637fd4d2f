using Haven.Platform.Events;
using Haven.Platform.Jobs;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Platform.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Hosting;

/// <summary>
/// The kernel's event services, registered together because they depend on each other: the transactional outbox and
/// its sequencer, the job queue and worker, realtime (SignalR hubs, dispatch, presence) and notifications with push.
/// </summary>
public static class EventsRegistration
{
    public static IServiceCollection AddHavenEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventsOptions>().Bind(configuration.GetSection(EventsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RealtimeOptions>().Bind(configuration.GetSection(RealtimeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PushOptions>().Bind(configuration.GetSection(PushOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PushOptions>, PushOptionsValidator>();
        services.AddHavenKey(EventPayloadProtector.KeyName, "encrypts realtime event payloads kept for catch-up");

        // Start order matters: LISTEN first, then this instance's presence row, then the dispatcher's starting position —
        // all before the server accepts its first connection.
        services.AddSingleton<HavenInstance>();
        services.AddSingleton<DatabaseSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseSignals>());

        services.AddSingleton<EventPayloadProtector>();
        services.AddSingleton<IOutbox, Outbox>();
        services.AddSingleton<EventFeed>();
        services.AddSingleton<IEventFeed>(sp => sp.GetRequiredService<EventFeed>());
        services.AddHavenPeriodicJob<EventRetentionJob>(EventRetentionJob.Kind, TimeSpan.FromHours(1));

        services.AddSignalR(o => o.EnableDetailedErrors = false)
            .AddJsonProtocol(o => PlatformServices.ConfigureJson(o.PayloadSerializerOptions));
        services.AddSingleton<GroupKinds>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<PresenceStore>();
        services.AddSingleton<RealtimeBus>();
        services.AddSingleton<RealtimeService>();
        services.AddSingleton<IRealtime>(sp => sp.GetRequiredService<RealtimeService>());
        services.AddScoped(sp => new HavenHubServices(sp.GetRequiredService<RealtimeService>(), sp));
        services.AddHavenPeriodicJob<PresenceSweepJob>(PresenceSweepJob.Kind, TimeSpan.FromSeconds(30));
        services.AddHostedService<PresenceHeartbeat>();
        services.AddHostedService<EventDispatcher>();
        services.AddHostedService<EventSequencer>();

        services.AddSingleton<JobRegistry>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<JobQueue>());
        services.AddHostedService<JobWorker>();

        services.AddSingleton<NotificationCategories>();
        services.AddSingleton<INotifier, Notifier>();
        services.AddHttpClient(FcmSender.HttpClientName, (sp, client) => client.Timeout = sp.GetRequiredService<IOptions<PushOptions>>().Value.Fcm.Timeout);
        services.AddSingleton<FcmSender>();
        services.AddHavenJob<PushJob>(PushJob.Kind, d => d with { MaxAttempts = 8, MaxDelay = TimeSpan.FromMinutes(30) });
        return services;
    }

    /// <summary>The platform hub (<c>/hubs/platform</c>) and the notification and device endpoints.</summary>
    public static IEndpointRouteBuilder MapHavenEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHavenHub<PlatformHub>(PlatformHub.Path);
        endpoints.MapHavenNotifications();
        endpoints.MapHavenDevices();
        return endpoints;
    }

    private sealed class PushOptionsValidator : IValidateOptions<PushOptions>
    {
        public ValidateOptionsResult Validate(string? name, PushOptions options)
        {
            // Nested options are not reached by ValidateDataAnnotations.
            var fcm = options.Fcm;
            if (!Uri.TryCreate(fcm.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http"))
            {
                return ValidateOptionsResult.Fail("Haven:Push:Fcm:BaseUrl must be an absolute http(s) URL.");
            }

            if (fcm.Timeout < TimeSpan.FromSeconds(1) || fcm.Timeout > TimeSpan.FromMinutes(5))
            {
                return ValidateOptionsResult.Fail("Haven:Push:Fcm:Timeout must be between 1 second and 5 minutes.");
            }

            if (fcm.ServiceAccountFile is { Length: > 0 } file && !File.Exists(file))
            {
                return ValidateOptionsResult.Fail("Haven:Push:Fcm:ServiceAccountFile names a file that does not exist.");
            }

            return ValidateOptionsResult.Success;
        }
    }
}
