using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Haven.Platform.Data;

/// <summary>
/// One versioned, reviewable schema change: an embedded <c>Data/Migrations/NNNN_name.sql</c> file of a module
/// (its "stream"). Files are applied in version order, once, and must never change after they were applied.
/// </summary>
public sealed partial record SqlMigration(string Stream, int Version, string Name, string Sql)
{
    // Computed, not stored: a copy made with `with { Sql = ... }` must not keep the original's checksum.
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public override string ToString() => $"{Stream}/{Version:D4}_{Name}";

    public static IReadOnlyList<SqlMigration> LoadFrom(Assembly assembly, string stream)
    {
        var migrations = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourcePattern().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
            migrations.Add(new SqlMigration(stream, int.Parse(match.Groups["version"].Value), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Migrations of '{stream}' share version {duplicate.Key}: {string.Join(", ", duplicate)}.");
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    [GeneratedRegex(@"\.Data\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex ResourcePattern();
}
