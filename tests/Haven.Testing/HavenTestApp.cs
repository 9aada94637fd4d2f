using System.Net.Http.Headers;
using System.Security.Cryptography;
using Haven.Platform.Hosting;
using Haven.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;

namespace Haven.Testing;

public sealed class HavenTestAppOptions
{
    /// <summary>Modules to enable; null for all.</summary>
    public IReadOnlyList<string>? Modules { get; set; }

    public string Environment { get; set; } = "Development";

    /// <summary>Configuration on top of appsettings (keys as in appsettings, e.g. <c>Haven:Web:RateLimitPerUserPerMinute</c>).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Supplies a real (non-development) key for every key the app declares, as a Production deployment must.</summary>
    public bool GeneratedKeys { get; set; }

    /// <summary>Replaces the application clock.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>Last-word service registrations, e.g. a recording push gateway.</summary>
    public Action<IServiceCollection>? Services { get; set; }

    /// <summary>Extra endpoints, for probing platform conventions (errors, limits) without a module.</summary>
    public Action<IEndpointRouteBuilder>? Endpoints { get; set; }

    /// <summary>
    /// Makes this app a second instance of <paramref name="first"/>'s cluster: the same database (not dropped when this
    /// app is disposed) and the same keys, as instances behind a load balancer share them.
    /// </summary>
    public HavenTestAppOptions JoinClusterOf(HavenTestApp first)
    {
        Cluster = first;
        return this;
    }

    internal HavenTestApp? Cluster { get; private set; }
}

/// <summary>
/// The real Haven web application on Kestrel at a free loopback port, with its own freshly migrated database:
/// tests talk HTTP and WebSockets to it exactly as clients do.
/// </summary>
public sealed class HavenTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsDatabase;
    private readonly string _masterKey;

    private HavenTestApp(WebApplication app, Uri baseAddress, string connectionString, CapturedLogs logs, bool ownsDatabase, string masterKey, string filesPath)
    {
        _app = app;
        _ownsDatabase = ownsDatabase;
        _masterKey = masterKey;
        BaseAddress = baseAddress;
        ConnectionString = connectionString;
        Logs = logs;
        FilesPath = filesPath;
    }

    public Uri BaseAddress { get; }

    public string ConnectionString { get; }

    public CapturedLogs Logs { get; }

    /// <summary>This app's own folder for the local file storage backend (removed with the app).</summary>
    public string FilesPath { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<HavenTestApp> StartAsync(Action<HavenTestAppOptions>? configure = null)
    {
        var options = new HavenTestAppOptions();
        configure?.Invoke(options);
        var connectionString = options.Cluster?.ConnectionString ?? await TestPostgres.CreateDatabaseAsync(options.Modules);
        var masterKey = options.Cluster?._masterKey ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var filesPath = options.Cluster?.FilesPath ?? Path.Combine(Path.GetTempPath(), "haven-test-files", Guid.NewGuid().ToString("N"));

        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{PlatformServices.ConnectionStringName}"] = connectionString,
            ["Haven:Keys:DevelopmentMaster"] = masterKey,
            // High enough that ordinary tests never meet it; the rate-limit tests set their own.
            ["Haven:Web:RateLimitPerUserPerMinute"] = "100000",
            ["Haven:Web:RateLimitPerAddressPerMinute"] = "100000",
            ["urls"] = "http://127.0.0.1:0",
            ["Haven:Files:LocalPath"] = filesPath,
        };
        if (options.Modules is not null)
        {
            for (var i = 0; i < options.Modules.Count; i++)
            {
                settings[$"Haven:Modules:{i}"] = options.Modules[i];
            }
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var builder = HavenHost.CreateBuilder(["--environment", options.Environment]);
        if (options.Modules is not null)
        {
            // appsettings lists all four; an explicit list must replace it, not merge index by index.
            builder.Configuration["Haven:Modules"] = null;
            foreach (var child in builder.Configuration.GetSection("Haven:Modules").GetChildren().ToList())
            {
                builder.Configuration[child.Path] = null;
            }
        }

        if (options.GeneratedKeys)
        {
            builder.Configuration.Sources.Add(new GeneratedKeysConfiguration());
        }

        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);

        var app = HavenHost.Build(builder, services =>
        {
            if (options.Clock is not null)
            {
                services.AddSingleton(options.Clock);
            }

            options.Services?.Invoke(services);
        }, options.Endpoints);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HavenTestApp(app, new Uri(address), connectionString, logs, options.Cluster is null, masterKey, filesPath);
    }

    public HttpClient CreateClient(string? accessToken = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return client;
    }

    /// <summary>
    /// The database the application actually uses: <see cref="ConnectionString"/>, unless the test pointed the app at
    /// another one (a second app reading the first one's data with other keys).
    /// </summary>
    public string DatabaseConnectionString => _app.Services.GetRequiredService<IConfiguration>().GetConnectionString(PlatformServices.ConnectionStringName)!;

    /// <summary>Runs SQL on the app's database as the tests' superuser: what no API does (tampering, simulating a crash).</summary>
    public async Task ExecuteSqlAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row (default when none or NULL): for asserting what is stored.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async Task InScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDatabase)
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
            if (Directory.Exists(FilesPath))
            {
                Directory.Delete(FilesPath, recursive: true);
            }
        }
    }
}

/// <summary>One Haven app per test class (xunit class fixture). Tests in the class share it and must own their data.</summary>
public class HavenAppFixture : IAsyncLifetime
{
    private HavenTestApp? _app;

    public HavenTestApp App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    protected virtual void Configure(HavenTestAppOptions options)
    {
    }

    public async ValueTask InitializeAsync() => _app = await HavenTestApp.StartAsync(Configure);

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
