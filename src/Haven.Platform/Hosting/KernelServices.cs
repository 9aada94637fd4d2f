using System.CommandLine;
using Haven.Platform.Audit;
using Haven.Platform.Crypto;
using Haven.Platform.Data;
using Haven.Platform.Files;
using Haven.Platform.Modules;
using Haven.Platform.Security;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Hosting;

/// <summary>The kernel's data-protection services: audit trail, encrypted files, field encryption.</summary>
public static class KernelServices
{
    public static IServiceCollection AddHavenKernelServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<AfterCommit>();
        services.AddSingleton<IInterceptor, AfterCommit.Interceptor>();

        // Audit trail.
        services.AddSingleton<AuditStaging>();
        services.AddSingleton<IInterceptor, AuditTransactionInterceptor>();
        services.AddScoped<IAuditTrail, AuditTrail>();
        services.AddSingleton<AuditVerifier>();
        services.AddScoped<AuditReader>();

        // Field encryption.
        services.AddHavenKey(FieldEncryption.KeyName, "encrypts sensitive database columns");
        services.AddHavenKey(FieldEncryption.IndexKeyName, "keys the blind indexes of encrypted columns");
        services.AddSingleton<FieldEncryption>();
        services.AddSingleton<IInterceptor, FieldEncryptionModel.BlindIndexInterceptor>();
        services.AddTransient<FieldKeyRotation>();

        // Encrypted files.
        services.AddOptions<HavenFileOptions>().Bind(configuration.GetSection(HavenFileOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHavenKey(FileCipher.KekName, "wraps the data keys of encrypted files");
        services.AddSingleton<IObjectStorage>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<HavenFileOptions>>();
            return options.Value.Backend == FileBackend.S3
                ? new S3ObjectStorage(options, provider.GetRequiredService<ILogger<S3ObjectStorage>>())
                : new LocalObjectStorage(options);
        });
        if (!string.IsNullOrWhiteSpace(configuration[$"{HavenFileOptions.Section}:ClamAv:Host"]))
        {
            services.AddSingleton<IFileScanner, ClamAvFileScanner>();
            services.AddHealthChecks().AddCheck<ClamAvHealthCheck>("file-scanner", tags: [HealthSetup.ReadyTag]);
        }

        services.TryAddSingleton<IFileScanner, NoFileScanner>();
        services.AddSingleton<FileUses>();
        services.AddScoped<FileStore>();
        services.AddScoped<IFileStore>(provider => provider.GetRequiredService<FileStore>());
        services.AddSingleton<FileSweeper>();
        services.AddHostedService<FileSweeper.Service>();
        services.AddTransient<FileKeyRotation>();
        services.AddHealthChecks().AddCheck<FileStorageHealthCheck>("file-storage", tags: [HealthSetup.ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHavenKernel(this IEndpointRouteBuilder endpoints) => endpoints.MapHavenAudit();

    /// <summary><c>audit ...</c>, <c>files ...</c> and <c>fields ...</c> on the executable's command line.</summary>
    public static RootCommand AddHavenKernelCommands(this RootCommand root, HostFactory hosts)
    {
        root.Subcommands.Add(AuditCommands.Create(hosts));
        root.Subcommands.Add(FileCommands.Create(hosts));
        root.Subcommands.Add(FieldKeyRotation.Command(hosts));
        return root;
    }
}
