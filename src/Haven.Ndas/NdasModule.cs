using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Ndas.Data;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Ndas;

public sealed class NdasModule : IHavenModule
{
    public const string ModuleName = "ndas";

    public string Name => ModuleName;

    public string Title => "NDAS";

    public string Summary => "A clinic's patients, clinical records per visit and media, with login auditing.";

    public string PortalPath => "/ndas";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddHavenDbContext<NdasDbContext>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
