using System.Security.Cryptography;
using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Platform.Security;
using Haven.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Testing;

/// <summary>
/// Real (random, non-development) key settings for every key the platform and all modules declare, so a test can
/// start Production without naming each feature's keys; tests of the key checks add their own probe key on top.
/// </summary>
public static class ProductionKeys
{
    public static IReadOnlyDictionary<string, string?> Settings()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddHavenCore(configuration, new ModuleCatalog(KnownModules.All, configuration));
        var settings = new Dictionary<string, string?>();
        foreach (var requirement in services.Where(d => d.ServiceType == typeof(KeyRequirement)).Select(d => d.ImplementationInstance).OfType<KeyRequirement>())
        {
            settings[$"Haven:Keys:{requirement.Name}:Current"] = "test-1";
            settings[$"Haven:Keys:{requirement.Name}:Versions:test-1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }

        return settings;
    }

    /// <summary>The same as command-line arguments (<c>--Haven:Keys:name:Current=...</c>).</summary>
    public static string[] Arguments() => [.. Settings().Select(s => $"--{s.Key}={s.Value}")];
}
