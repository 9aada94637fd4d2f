using System.CommandLine;
using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;
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

    public static Command SchemaScript()
    {
        var name = new Argument<string?>("context") { Description = "DbContext name (e.g. PlatformDbContext); all when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("schema-script", "Print the DDL EF Core would create for a DbContext: a starting point for a new SQL migration.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(name);
        command.SetAction(result =>
        {
            // No database needed: the script comes from the model alone.
            using var host = HavenHost.BuildCommandHost([.. result.UnmatchedTokens, "--ConnectionStrings:Haven=Host=unused"]);
            var wanted = result.GetValue(name);
            using var scope = host.Services.CreateScope();
            foreach (var registration in scope.ServiceProvider.GetServices<DbContextRegistration>())
            {
                if (wanted is null || registration.ContextType.Name.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                {
                    var context = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
                    Console.WriteLine($"-- {registration.ContextType.Name}");
                    Console.WriteLine(context.Database.GenerateCreateScript());
                }
            }

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
