using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Server.Hosting;

namespace Haven.Server.Cli;

/// <summary>
/// Services for one admin command, on the configured database or, when <c>ConnectionStrings__Haven</c> is unset,
/// on the private cluster (started if needed and stopped again afterwards). Migrations are applied first.
/// </summary>
public sealed class CommandHost : ICommandHost
{
    private readonly IHost _host;
    private readonly LocalPostgres? _postgres;

    private CommandHost(IHost host, LocalPostgres? postgres)
    {
        _host = host;
        _postgres = postgres;
    }

    public IServiceProvider Services => _host.Services;

    public static async Task<ICommandHost> StartAsync(string[] args, CancellationToken cancellationToken)
    {
        LocalPostgres? postgres = null;
        var host = HavenHost.BuildCommandHost(args, builder =>
        {
            if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PlatformServices.ConnectionStringName)))
            {
                postgres = LocalDatabase.StartAsync(builder.Configuration, builder.Environment, cancellationToken).GetAwaiter().GetResult();
                builder.Configuration[$"ConnectionStrings:{PlatformServices.ConnectionStringName}"] = postgres.ConnectionString();
            }
        });
        await HavenHost.MigrateAsync(host.Services, cancellationToken);
        return new CommandHost(host, postgres);
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>Where the private cluster lives and which port it takes: <c>Haven:LocalDatabase:Path</c> and <c>:Port</c>.</summary>
public static class LocalDatabase
{
    public static Task<LocalPostgres> StartAsync(IConfiguration configuration, IHostEnvironment environment, CancellationToken cancellationToken)
    {
        if (environment.IsProduction())
        {
            throw new UnsafeConfigurationException(
                [$"ConnectionStrings:{PlatformServices.ConnectionStringName} is missing (Production never starts a private database)."]);
        }

        // Relative to the working directory: the run command starts Haven from the checkout, so the cluster lives in ./.data.
        var path = Path.GetFullPath(configuration["Haven:LocalDatabase:Path"] ?? ".data");
        var port = configuration.GetValue("Haven:LocalDatabase:Port", 54329);
        var logger = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true)).CreateLogger("Haven.LocalDatabase");
        return LocalPostgres.StartAsync(path, port, logger, cancellationToken);
    }
}
