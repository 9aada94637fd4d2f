using System.CommandLine;
using Haven.Platform.Modules;
using Haven.Server.Hosting;

namespace Haven.Server.Cli;

public static class AdminCommands
{
    public static Command Migrate()
    {
        var command = new Command("migrate", "Apply pending schema migrations of the platform and every enabled module, then exit.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var host = await CommandHost.StartAsync([.. result.UnmatchedTokens], cancellationToken);
            Console.WriteLine("Schema is up to date.");
            return 0;
        });
        return command;
    }

    public static Command SeedDemo()
    {
        var command = new Command("seed-demo", "Load demo data for every enabled module (idempotent) and print the demo logins.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var host = await CommandHost.StartAsync([.. result.UnmatchedTokens], cancellationToken);
            var logins = await DemoData.SeedAsync(host.Services, cancellationToken);
            DemoData.Print(logins, HavenHost.DefaultUrl);
            return 0;
        });
        return command;
    }

    public static Command CheckConfig()
    {
        var command = new Command("check-config", "Check that every key the enabled modules need is configured for Production, naming each gap.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(result =>
        {
            try
            {
                using var host = HavenHost.BuildCommandHost([.. result.UnmatchedTokens, "--environment", "Production"]);
                Console.WriteLine("Configuration is complete for Production.");
                return 0;
            }
            catch (UnsafeConfigurationException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
