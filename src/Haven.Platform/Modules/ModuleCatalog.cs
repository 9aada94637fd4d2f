using Microsoft.Extensions.Configuration;

namespace Haven.Platform.Modules;

/// <summary>The modules this process runs: every known module filtered by <c>Haven:Modules</c>, in configured order.</summary>
public sealed class ModuleCatalog
{
    public ModuleCatalog(IEnumerable<IHavenModule> known, IConfiguration configuration)
    {
        var all = known.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        var wanted = ReadWanted(configuration);
        if (wanted.Count == 0)
        {
            Enabled = [.. all.Values];
            return;
        }

        var unknown = wanted.Where(w => !all.ContainsKey(w)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Haven:Modules names unknown module(s) {string.Join(", ", unknown)}; known: {string.Join(", ", all.Keys)}.");
        }

        Enabled = [.. wanted.Distinct(StringComparer.OrdinalIgnoreCase).Select(w => all[w])];
    }

    public IReadOnlyList<IHavenModule> Enabled { get; }

    public bool IsEnabled(string name) => Enabled.Any(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    // Accepts both an array (Haven:Modules:0=kintaraa) and a comma-separated string (HAVEN__MODULES=kintaraa,pss).
    private static List<string> ReadWanted(IConfiguration configuration)
    {
        var section = configuration.GetSection("Haven:Modules");
        var items = section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).ToList();
        if (items.Count == 0 && !string.IsNullOrWhiteSpace(section.Value))
        {
            items = [.. section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        return items;
    }
}
