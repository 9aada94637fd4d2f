using Haven.Platform.Modules;
using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Haven.Pss.Dashboard;
using Haven.Pss.Data;
using Haven.Pss.Demo;
using Haven.Pss.Export;
using Haven.Pss.Intake;
using Haven.Pss.Journal;
using Haven.Pss.Notes;
using Haven.Pss.Profiles;
using Haven.Pss.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Haven.Platform.Hosting;
using Haven.Platform.Notifications;

namespace Haven.Pss;

/// <summary>
/// PSS, the Personal Support System: students with disabilities on a training programme keep a support profile, an
/// intake form and a mood journal; the programme's admins follow up with notes and cohort statistics. API under
/// <c>/api/pss</c>, portal under <c>/pss</c> (candidate: <c>/pss/me</c>, staff: <c>/pss/admin</c>). See docs/pss.md.
/// </summary>
public sealed class PssModule : IHavenModule
{
    public const string ModuleName = "pss";

    public string Name => ModuleName;

    public string Title => "PSS";

    public string Summary => "Students with disabilities keep a support profile, intake form and mood journal; programme admins follow up.";

    public string PortalPath => "/pss";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddHavenDbContext<PssDbContext>();
        services.AddValidation();
        services.AddOptions<PssOptions>().Bind(configuration.GetSection(PssOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.Configure<AuthorizationOptions>(PssPolicies.Register);
        services.AddSingleton<PssChanges>();
        services.AddSingleton<StatsCache>();
        services.AddScoped<PssCaller>();
        services.AddScoped<CandidateAccess>();
        services.AddScoped<PssAudit>();
        services.AddScoped<ProfileSearch>();
        services.AddScoped<ProfileService>();
        services.AddScoped<IntakeService>();
        services.AddScoped<JournalService>();
        services.AddScoped<CheckInAlerts>();
        services.AddNotificationCategory(CheckInAlerts.Declaration);
        services.AddScoped<NoteService>();
        services.AddScoped<CandidateService>();
        services.AddScoped<StatsService>();
        services.AddScoped<ExportService>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var pss = endpoints.MapGroup("/api/pss");
        UserEndpoints.Map(pss);
        IntakeEndpoints.Map(pss);
        JournalEndpoints.Map(pss);
        NoteEndpoints.Map(pss);
        DashboardEndpoints.Map(pss);
    }

    public Task SeedDemoAsync(DemoSeedContext context, CancellationToken cancellationToken) => PssDemoData.SeedAsync(context, cancellationToken);
}
