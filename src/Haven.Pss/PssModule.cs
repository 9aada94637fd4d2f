using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Pss.Data;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Pss;

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
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
