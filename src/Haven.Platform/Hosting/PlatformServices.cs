using System.Text.Json;
using System.Text.Json.Serialization;
using Haven.Platform.Configuration;
using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Modules;
using Haven.Platform.Portal;
using Haven.Platform.Security;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Hosting;

/// <summary>The kernel's registration and middleware, in the one order that is correct; the host calls these once.</summary>
public static class PlatformServices
{
    public const string ConnectionStringName = "Haven";

    /// <summary>Database, keys and kernel services: what both the web host and the CLI commands need.</summary>
    public static IServiceCollection AddHavenCore(this IServiceCollection services, IConfiguration configuration, ModuleCatalog modules)
    {
        services.AddSingleton(modules);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<KeyStore>();
        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentUser, HttpCurrentUser>();
        services.AddHavenKernelServices(configuration);

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        services.AddSingleton(_ =>
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is not set. The run command starts a private PostgreSQL when it is unset; " +
                    $"otherwise set ConnectionStrings__{ConnectionStringName}.");
            }

            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.EnableDynamicJson();
            return builder.Build();
        });
        services.AddHavenDbContext<PlatformDbContext>();
        services.AddHavenIdentity(configuration);
        services.AddSingleton<MigrationRunner>();
        services.AddHavenEvents(configuration);
        foreach (var module in modules.Enabled)
        {
            module.AddServices(services, configuration);
        }

        return services;
    }

    /// <summary>Registers a module's DbContext on the shared connection pool (and in the list the schema checks walk).</summary>
    public static IServiceCollection AddHavenDbContext<TContext>(this IServiceCollection services) where TContext : DbContext
    {
        services.AddSingleton(new DbContextRegistration(typeof(TContext)));
        // Kernel interceptors (the audit trail's commit hook, blind indexes) apply to every Haven context; the model
        // cache key includes the app's field encryption, whose keys the model's converters hold.
        return services.AddDbContext<TContext>((provider, options) => options
            .UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>())
            .AddInterceptors(provider.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>())
            .ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, Crypto.FieldEncryptionModel.CacheKeyFactory>());
    }

    /// <summary>Every migration of the platform and the enabled modules, platform first.</summary>
    public static IEnumerable<SqlMigration> AllMigrations(this ModuleCatalog modules) =>
        SqlMigration.LoadFrom(typeof(PlatformServices).Assembly, PlatformDbContext.Schema)
            .Concat(modules.Enabled.SelectMany(m => SqlMigration.LoadFrom(m.Assembly, m.Name)));

    /// <summary>The web-facing part: errors, JSON, headers, rate limits, CORS, health, OpenAPI, pages.</summary>
    public static WebApplicationBuilder AddHavenWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HavenWebOptions>().Bind(builder.Configuration.GetSection(HavenWebOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var web = builder.Configuration.GetSection(HavenWebOptions.Section).Get<HavenWebOptions>() ?? new HavenWebOptions();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = web.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddValidation();
        services.AddHavenProblemDetails();
        services.AddHavenRateLimiting();
        services.AddHavenOpenApi();
        services.AddHavenHealthChecks();
        services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(web.CorsOrigins).AllowAnyHeader().AllowAnyMethod()
            .WithExposedHeaders("Retry-After", "Location", "ETag")));
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(web.HstsMaxAgeDays);
            o.IncludeSubDomains = true;
        });
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in web.KnownProxies)
            {
                o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });

        // Deny by default: an endpoint is open only if it says AllowAnonymous (with a reason).
        services.AddAuthentication();
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddOptions<Portal.PortalOptions>().Bind(builder.Configuration.GetSection(Portal.PortalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRazorPages();
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "haven.af";
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        return builder;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    /// <summary>The middleware pipeline; order matters and is fixed here.</summary>
    public static WebApplication UseHavenPlatform(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseHavenSecurityHeaders();
        app.UseHavenErrorHandling();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseHavenRequestLogging();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
        app.UseHavenApiDocs();
        app.UseHavenTrailingSlash();
        app.UseRouting();
        app.UseCors();
        app.UseHavenUnmatchedRoutes();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapHavenPlatform(this WebApplication app)
    {
        app.MapHavenHealth();
        app.MapHavenKernel();
        app.MapHavenOpenApi();
        app.MapHavenIdentity();
        app.MapRazorPages();
        app.MapHavenPortal();
        app.MapHavenEvents();
        foreach (var module in app.Services.GetRequiredService<ModuleCatalog>().Enabled)
        {
            module.MapEndpoints(app);
        }

        return app;
    }
}
