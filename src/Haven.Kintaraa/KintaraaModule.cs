using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Dashboard;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Evidence;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Routing;
using Haven.Kintaraa.SelfService;
using Haven.Kintaraa.Sync;
using Haven.Platform.Files;
using Haven.Platform.Hosting;
using Haven.Platform.Identity;
using Haven.Platform.Jobs;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Platform.Modules;
using Haven.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa;

public sealed class KintaraaModule : IHavenModule
{
    public const string ModuleName = "kintaraa";

    public string Name => ModuleName;

    public string Title => "Kintaraa";

    public string Summary => "Survivors of gender-based violence report incidents; the right providers get the case and work it together.";

    public string PortalPath => "/kintaraa";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddHavenDbContext<KintaraaDbContext>();
        services.AddValidation();
        services.AddOptions<KintaraaOptions>().Bind(configuration.GetSection(KintaraaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHavenKey(ReceiptCodes.KeyName, "hashes the receipt codes anonymous reporters return with");
        var options = configuration.GetSection(KintaraaOptions.Section).Get<KintaraaOptions>() ?? new KintaraaOptions();
        services.AddHavenPeriodicJob<RoutingSweepJob>(RoutingSweepJob.Kind, options.SweepInterval);
        services.AddHavenPeriodicJob<ReminderJob>(ReminderJob.Kind, options.ReminderInterval);
        services.AddRealtimeGroup<CaseGroupAuthorizer>(Recipients.CaseGroupKind);
        services.AddRealtimeGroup<AdminGroupAuthorizer>(Recipients.AdminGroupKind, announcePresence: false);
        services.AddHavenFileUse(new FileUse(EvidenceEndpoints.FileUseName,
            [.. FileTypes.Images, .. FileTypes.Audio, .. FileTypes.Video, FileTypes.Pdf, FileTypes.Docx, FileTypes.PlainText], options.MaxEvidenceBytes));
        foreach (var category in KintaraaNotifications.All)
        {
            services.AddNotificationCategory(category);
        }

        services.Configure<Microsoft.AspNetCore.Authorization.AuthorizationOptions>(KintaraaPolicies.Register);

        services.AddSingleton<CaseNumbers>();
        services.AddSingleton<ReceiptCodes>();
        services.AddScoped<RealtimeCaller>();
        services.AddScoped(sp => new KintaraaCaller(
            sp.GetRequiredService<RealtimeCaller>().User ?? sp.GetRequiredService<ICurrentUser>(), sp.GetRequiredService<KintaraaDbContext>()));
        services.AddScoped<SurvivorNames>();
        services.AddScoped<CaseJournal>();
        services.AddScoped<CaseTransactions>();
        services.AddScoped<CaseAccess>();
        services.AddScoped<CaseReader>();
        services.AddScoped<IncidentService>();
        services.AddScoped<IncidentQueries>();
        services.AddScoped<LegalHolds>();
        services.AddScoped<ReferralService>();
        services.AddScoped<ReferralActions>();
        services.AddScoped<ReferralQueue>();
        services.AddScoped<ProviderService>();
        services.AddScoped<ChatService>();
        services.AddScoped<DashboardService>();
        services.AddScoped<CaseTrends>();
        services.AddScoped<RoutingSweep>();
        services.AddScoped<AppointmentReminders>();
        services.AddScoped<CareWorkService>();
        services.AddScoped<SurvivorData>();
        services.AddScoped<AccountClosure>();
        services.AddScoped<EvidenceService>();
        services.AddScoped<SafetyPlanService>();
        services.AddScoped<UpdatesFeed>();
        services.AddScoped<SyncBatch>();
        services.AddScoped<Portal.ProviderDesk>();
    }

    public Task SeedDemoAsync(DemoSeedContext context, CancellationToken cancellationToken) =>
        new Demo.KintaraaDemoData(context.Services).SeedAsync(context, cancellationToken);

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/kintaraa");
        IncidentEndpoints.Map(api);
        ReferralEndpoints.Map(api);
        ProviderEndpoints.Map(api);
        ChatEndpoints.Map(api);
        SosEndpoints.Map(api);
        DashboardEndpoints.Map(api);
        CareWorkEndpoints.Map(api);
        SelfServiceEndpoints.Map(api);
        EvidenceEndpoints.Map(api);
        SyncEndpoints.Map(api);
        endpoints.MapHavenHub<KintaraaHub>(KintaraaHub.Path);
    }
}
