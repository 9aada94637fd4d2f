using Haven.Platform.Data;
using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Platform.Security;
using Microsoft.Extensions.Logging.Console;

namespace Haven.Server.Hosting;

/// <summary>Builds the web application and the lighter service host the CLI commands use, from the same composition.</summary>
public static class HavenHost
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(HavenHost).Assembly.GetName().Name,
            // appsettings and compiled pages sit beside the executable; the working directory holds .data/.
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Serves the Razor class libraries' wwwroot (layout CSS, vendored JS) from the build output in every environment.
        builder.WebHost.UseStaticWebAssets();
        ConfigureLogging(builder.Logging);
        return builder;
    }

    /// <summary>Composes kernel and enabled modules, refuses an unsafe Production configuration, and wires the pipeline.</summary>
    /// <param name="overrides">Last-word service registrations (tests replace the clock or outside-world senders here).</param>
    /// <param name="extraEndpoints">Endpoints mapped after the modules' (tests map probes of the platform's conventions here).</param>
    public static WebApplication Build(
        WebApplicationBuilder builder, Action<IServiceCollection>? overrides = null, Action<IEndpointRouteBuilder>? extraEndpoints = null)
    {
        var modules = new ModuleCatalog(KnownModules.All, builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddHavenCore(builder.Configuration, modules);
        builder.AddHavenWeb();
        // Pages are discovered from every referenced module assembly; a disabled module must serve none of them.
        var disabled = KnownModules.All.Except(modules.Enabled).Select(m => m.Assembly.GetName().Name).ToHashSet();
        builder.Services.AddRazorPages().ConfigureApplicationPartManager(parts =>
        {
            foreach (var part in parts.ApplicationParts.Where(p => disabled.Contains(p.Name)).ToList())
            {
                parts.ApplicationParts.Remove(part);
            }
        });
        builder.Services.AddHostedService<MigrateOnStartup>();
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        ProductionGuard.ThrowIfUnsafe(app.Services, app.Environment, app.Configuration);
        app.UseHavenPlatform();
        app.MapHavenPlatform();
        extraEndpoints?.Invoke(app);
        return app;
    }

    /// <summary>A host without a web server for admin commands: same configuration, database and kernel services.</summary>
    public static IHost BuildCommandHost(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ApplicationName = typeof(HavenHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = EnvironmentFor(args),
        });
        configure?.Invoke(builder);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        var modules = new ModuleCatalog(KnownModules.All, builder.Configuration);
        builder.Services.AddHavenCore(builder.Configuration, modules);
        var host = builder.Build();
        ProductionGuard.ThrowIfUnsafe(host.Services, host.Services.GetRequiredService<IHostEnvironment>(), builder.Configuration);
        return host;
    }

    // The generic host reads only DOTNET_ENVIRONMENT; admin commands must run in the same environment as the web
    // host beside them, which reads ASPNETCORE_ENVIRONMENT (what run.sh and deployments set). --environment wins.
    private static string EnvironmentFor(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--environment" && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith("--environment=", StringComparison.Ordinal))
            {
                return args[i]["--environment=".Length..];
            }
        }

        return Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environments.Production;
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var modules = services.GetRequiredService<ModuleCatalog>();
        await services.GetRequiredService<MigrationRunner>().ApplyAsync(modules.AllMigrations(), cancellationToken);
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        // These framework categories write full URLs (with query strings, where SignalR carries the access token)
        // and connection details at Information and below; Haven's own request line logs the path only. Set in
        // code so that turning framework logging up for a diagnosis cannot leak tokens.
        foreach (var category in new[] { "Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.SignalR" })
        {
            logging.AddFilter(category, level => level >= LogLevel.Warning);
        }

        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
        });
    }

    private sealed class MigrateOnStartup(IServiceProvider services, IConfiguration configuration) : IHostedLifecycleService
    {
        // Runs before any other hosted service starts and before Kestrel accepts a request.
        public Task StartingAsync(CancellationToken cancellationToken) =>
            configuration.GetValue("Haven:Database:MigrateOnStartup", true) ? MigrateAsync(services, cancellationToken) : Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>In Production, refuses to start while a key is missing or a development key, naming each problem.</summary>
public static class ProductionGuard
{
    public static void ThrowIfUnsafe(IServiceProvider services, IHostEnvironment environment, IConfiguration configuration)
    {
        if (!environment.IsProduction())
        {
            return;
        }

        var problems = services.GetRequiredService<KeyStore>().ProductionProblems().ToList();
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(PlatformServices.ConnectionStringName)))
        {
            problems.Add($"ConnectionStrings:{PlatformServices.ConnectionStringName} is missing (Production never starts a private database).");
        }

        if (problems.Count > 0)
        {
            throw new UnsafeConfigurationException(problems);
        }
    }
}

public sealed class UnsafeConfigurationException(IReadOnlyList<string> problems)
    : Exception("Refusing to start in Production:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
