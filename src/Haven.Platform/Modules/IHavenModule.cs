using System.CommandLine;
using System.Reflection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Modules;

/// <summary>
/// One Haven system (Kintaraa, LERS, PSS, NDAS). A module owns its endpoints, its PostgreSQL schema
/// (named <see cref="Name"/>), its pages and its demo data, and reaches the kernel only through
/// Haven.Platform's services.
/// </summary>
public interface IHavenModule
{
    /// <summary>Lower-case key: configuration value in <c>Haven:Modules</c>, schema name, role prefix, URL segment.</summary>
    string Name { get; }

    /// <summary>Human name shown on the landing page.</summary>
    string Title { get; }

    /// <summary>One sentence for the landing page.</summary>
    string Summary { get; }

    /// <summary>Where the module's browser portal starts.</summary>
    string PortalPath { get; }

    /// <summary>The assembly holding the module's SQL migrations (embedded <c>Data/Migrations/*.sql</c>) and pages.</summary>
    Assembly Assembly => GetType().Assembly;

    void AddServices(IServiceCollection services, IConfiguration configuration);

    void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>Adds the module's admin commands to the executable's command line.</summary>
    void AddCommands(RootCommand root, HostFactory hosts) { }

    /// <summary>Loads realistic demo data; must be idempotent (a second run adds nothing).</summary>
    Task SeedDemoAsync(DemoSeedContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Starts the services a CLI command needs (configuration, database, keys) without a web server.</summary>
/// <param name="hostArgs">Arguments for the host configuration (a command's unmatched tokens, e.g. <c>--ConnectionStrings:Haven=...</c>).</param>
public delegate Task<ICommandHost> HostFactory(string[] hostArgs, CancellationToken cancellationToken);

/// <summary>A running command host; disposing it stops the host (and a private database it started).</summary>
public interface ICommandHost : IAsyncDisposable
{
    IServiceProvider Services { get; }
}
