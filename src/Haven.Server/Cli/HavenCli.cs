using System.CommandLine;
using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Server.Hosting;

namespace Haven.Server.Cli;

/// <summary>
/// The executable's command line: <c>serve</c> (the default) and the admin commands. Arguments the commands do not
/// know (<c>--urls</c>, <c>--environment</c>, <c>--Haven:Modules=...</c>) pass through to the host configuration.
/// </summary>
public static class HavenCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Haven: Kintaraa, LERS, PSS and NDAS on one platform. Without a command, serves the web application.");
        var demo = new Option<bool>("--demo") { Description = "Load demo data for every enabled module and print the demo logins." };
        root.Options.Add(demo);
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((result, cancellationToken) => ServeCommand.RunAsync(result.UnmatchedTokens.ToArray(), result.GetValue(demo), cancellationToken));

        var serve = new Command("serve", "Serve the web application (default http://127.0.0.1:5080); starts a private PostgreSQL when ConnectionStrings__Haven is unset.");
        serve.Options.Add(demo);
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction((result, cancellationToken) => ServeCommand.RunAsync(result.UnmatchedTokens.ToArray(), result.GetValue(demo), cancellationToken));
        root.Subcommands.Add(serve);

        root.Subcommands.Add(AdminCommands.Migrate());
        root.Subcommands.Add(AdminCommands.SeedDemo());
        root.Subcommands.Add(AdminCommands.CheckConfig());
        root.Subcommands.Add(AdminCommands.SchemaScript());
        root.Subcommands.Add(IdentityCommands.CreateAdmin());
        root.AddHavenKernelCommands(CommandHost.StartAsync);
        foreach (var module in KnownModules.All)
        {
            module.AddCommands(root, CommandHost.StartAsync);
        }

        // The web host handles Ctrl-C itself (graceful shutdown, then the private database stops); System.CommandLine must not kill the process first.
        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
