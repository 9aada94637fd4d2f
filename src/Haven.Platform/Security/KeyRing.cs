using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Haven.Platform.Security;

/// <summary>One version of a named secret key. The id is stored beside whatever the key protected, so keys rotate.</summary>
public sealed record KeyVersion(string Id, byte[] Material)
{
    /// <summary>Keys derived from the local development master key; Production refuses them.</summary>
    public bool IsDevelopmentKey => Id.StartsWith(KeyStore.DevelopmentKeyPrefix, StringComparison.Ordinal);
}

/// <summary>All versions of one named key; <see cref="Current"/> protects new data, the others still open old data.</summary>
public sealed class KeyRing(string name, KeyVersion current, IReadOnlyDictionary<string, KeyVersion> versions)
{
    public string Name { get; } = name;

    public KeyVersion Current { get; } = current;

    public IReadOnlyDictionary<string, KeyVersion> Versions { get; } = versions;

    public KeyVersion Get(string id) =>
        Versions.TryGetValue(id, out var version)
            ? version
            : throw new CryptographicException($"Key '{Name}' has no version '{id}' configured; it may have been retired too early.");
}

/// <summary>A key the application needs, declared by the feature that uses it; Production checks all of them at start-up.</summary>
public sealed record KeyRequirement(string Name, string Purpose);

/// <summary>
/// Reads key rings from configuration: <c>Haven:Keys:{name}:Current</c> names the current version and
/// <c>Haven:Keys:{name}:Versions:{id}</c> holds each version's base64 material (at least 32 bytes).
/// Outside Production, a key that is not configured is derived from a per-machine development master key
/// (never committed; created under <c>.data/</c> on first run), with an id that marks it as a development key.
/// </summary>
public sealed class KeyStore(IConfiguration configuration, IHostEnvironment environment, IEnumerable<KeyRequirement> requirements)
{
    public const string DevelopmentKeyPrefix = "dev-";
    private readonly Dictionary<string, KeyRing> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IReadOnlyList<KeyRequirement> Requirements { get; } = [.. requirements.DistinctBy(r => r.Name)];

    public KeyRing Get(string name)
    {
        lock (_lock)
        {
            if (!_cache.TryGetValue(name, out var ring))
            {
                _cache[name] = ring = Load(name);
            }

            return ring;
        }
    }

    /// <summary>Problems that must stop a Production start: missing, malformed or development keys, each named.</summary>
    public IReadOnlyList<string> ProductionProblems()
    {
        var problems = new List<string>();
        foreach (var requirement in Requirements)
        {
            var section = configuration.GetSection($"Haven:Keys:{requirement.Name}");
            var current = section["Current"];
            if (string.IsNullOrWhiteSpace(current))
            {
                problems.Add($"Haven:Keys:{requirement.Name}:Current is missing ({requirement.Purpose}).");
                continue;
            }

            if (current.StartsWith(DevelopmentKeyPrefix, StringComparison.Ordinal))
            {
                problems.Add($"Haven:Keys:{requirement.Name} uses a development key ({requirement.Purpose}).");
                continue;
            }

            foreach (var version in section.GetSection("Versions").GetChildren())
            {
                if (!TryDecode(version.Value, out _))
                {
                    problems.Add($"Haven:Keys:{requirement.Name}:Versions:{version.Key} is not base64 of at least 32 bytes.");
                }
            }

            if (section.GetSection("Versions").GetChildren().All(v => v.Key != current))
            {
                problems.Add($"Haven:Keys:{requirement.Name}:Versions:{current} is missing ({requirement.Purpose}).");
            }
        }

        return problems;
    }

    private KeyRing Load(string name)
    {
        var section = configuration.GetSection($"Haven:Keys:{name}");
        var versions = new Dictionary<string, KeyVersion>(StringComparer.Ordinal);
        foreach (var child in section.GetSection("Versions").GetChildren())
        {
            if (!TryDecode(child.Value, out var material))
            {
                throw new InvalidOperationException($"Haven:Keys:{name}:Versions:{child.Key} is not base64 of at least 32 bytes.");
            }

            versions[child.Key] = new KeyVersion(child.Key, material);
        }

        var currentId = section["Current"];
        if (!string.IsNullOrWhiteSpace(currentId) && versions.TryGetValue(currentId, out var current))
        {
            return new KeyRing(name, current, versions);
        }

        if (environment.IsProduction())
        {
            throw new InvalidOperationException($"Haven:Keys:{name} is not configured; Production needs a real key.");
        }

        var development = new KeyVersion(DevelopmentKeyPrefix + "1", DeriveDevelopmentKey(name));
        versions[development.Id] = development;
        return new KeyRing(name, development, versions);
    }

    private byte[] DeriveDevelopmentKey(string name)
    {
        var master = DevelopmentMasterKey();
        return HMACSHA256.HashData(master, Encoding.UTF8.GetBytes("haven-dev-key:" + name));
    }

    private byte[] DevelopmentMasterKey()
    {
        if (configuration["Haven:Keys:DevelopmentMaster"] is { Length: > 0 } configured && TryDecode(configured, out var fromConfig))
        {
            return fromConfig;
        }

        // Beside the private database under the working directory's .data/, never inside the checkout's tracked files.
        var path = Path.GetFullPath(configuration["Haven:Keys:DevelopmentMasterPath"] ?? Path.Combine(".data", "dev-master.key"));
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }

    private static bool TryDecode(string? value, out byte[] material)
    {
        material = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        try
        {
            material = Convert.FromBase64String(value.Trim());
            return material.Length >= 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public static class KeyStoreExtensions
{
    /// <summary>Declares a key this feature needs; Production refuses to start while it is missing or a development key.</summary>
    public static IServiceCollection AddHavenKey(this IServiceCollection services, string name, string purpose)
    {
        services.AddSingleton(new KeyRequirement(name, purpose));
        return services;
    }
}
