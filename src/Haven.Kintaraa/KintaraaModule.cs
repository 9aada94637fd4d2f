using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Kintaraa.Data;
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
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
