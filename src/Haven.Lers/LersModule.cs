using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Lers.Data;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Lers;

public sealed class LersModule : IHavenModule
{
    public const string ModuleName = "lers";

    public string Name => ModuleName;

    public string Title => "LERS";

    public string Summary => "Investigating officers request data from providers under a legal mandate, approved, signed and answered under an SLA.";

    public string PortalPath => "/lers";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddHavenDbContext<LersDbContext>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
