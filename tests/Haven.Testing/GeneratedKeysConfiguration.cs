using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Haven.Testing;

/// <summary>
/// Answers every <c>Haven:Keys:{name}</c> lookup with a freshly generated real (non-development) key, so a test can
/// start Production without listing every key the kernel and modules declare.
/// </summary>
internal sealed class GeneratedKeysConfiguration : IConfigurationSource
{
    public const string VersionId = "test-1";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    private sealed class Provider : ConfigurationProvider
    {
        private readonly Dictionary<string, string> _keys = new(StringComparer.OrdinalIgnoreCase);

        public override bool TryGet(string key, out string? value)
        {
            var parts = key.Split(':');
            value = null;
            if (parts.Length < 4 || !parts[0].Equals("Haven", StringComparison.OrdinalIgnoreCase) || !parts[1].Equals("Keys", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (parts.Length == 4 && parts[3].Equals("Current", StringComparison.OrdinalIgnoreCase))
            {
                value = VersionId;
                return true;
            }

            if (parts.Length == 5 && parts[3].Equals("Versions", StringComparison.OrdinalIgnoreCase) && parts[4] == VersionId)
            {
                lock (_keys)
                {
                    if (!_keys.TryGetValue(parts[2], out var material))
                    {
                        _keys[parts[2]] = material = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                    }

                    value = material;
                }

                return true;
            }

            return false;
        }

        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            var parts = parentPath?.Split(':') ?? [];
            if (parts.Length == 4 && parts[0].Equals("Haven", StringComparison.OrdinalIgnoreCase) && parts[1].Equals("Keys", StringComparison.OrdinalIgnoreCase)
                && parts[3].Equals("Versions", StringComparison.OrdinalIgnoreCase))
            {
                return earlierKeys.Append(VersionId).Order(StringComparer.OrdinalIgnoreCase);
            }

            if (parts.Length == 3 && parts[0].Equals("Haven", StringComparison.OrdinalIgnoreCase) && parts[1].Equals("Keys", StringComparison.OrdinalIgnoreCase))
            {
                return earlierKeys.Append("Current").Append("Versions").Order(StringComparer.OrdinalIgnoreCase);
            }

            return earlierKeys;
        }
    }
}
