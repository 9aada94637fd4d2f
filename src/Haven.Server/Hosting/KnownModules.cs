using Haven.Kintaraa;
using Haven.Lers;
using Haven.Ndas;
using Haven.Platform.Modules;
using Haven.Pss;

namespace Haven.Server.Hosting;

/// <summary>Every module this executable can run; <c>Haven:Modules</c> picks which ones it does.</summary>
public static class KnownModules
{
    public static IReadOnlyList<IHavenModule> All { get; } =
        [new KintaraaModule(), new LersModule(), new PssModule(), new NdasModule()];
}
