using Haven.Platform.Hosting;
using Haven.Server.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Haven.Server.Cli;

public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] hostArgs, bool demo, CancellationToken cancellationToken)
    {
        var builder = HavenHost.CreateBuilder(hostArgs);
        LocalPostgres? postgres = null;
        try
        {
            if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PlatformServices.ConnectionStringName)))
            {
                postgres = await LocalDatabase.StartAsync(builder.Configuration, builder.Environment, cancellationToken);
                builder.Configuration[$"ConnectionStrings:{PlatformServices.ConnectionStringName}"] = postgres.ConnectionString();
            }

            await using var app = HavenHost.Build(builder);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e) when (e.InnerException is AddressInUseException)
            {
                // Usually a second ./run.sh: say so instead of a stack trace, and stop the services that did start
                // (listeners, job workers), which would otherwise keep the failed process alive.
                await Console.Error.WriteLineAsync(
                    $"{e.Message} Is Haven already running? Stop it, or serve on another address: ./run.sh --urls http://127.0.0.1:5081");
                await app.StopAsync(CancellationToken.None);
                return 1;
            }

            if (demo)
            {
                var logins = await DemoData.SeedAsync(app.Services, cancellationToken);
                DemoData.Print(logins, app.Urls.FirstOrDefault() ?? HavenHost.DefaultUrl);
            }

            Console.WriteLine($"Haven is serving {string.Join(", ", app.Urls)} (API docs at /docs). Press Ctrl-C to stop.");
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        }
        catch (UnsafeConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
        }
    }
}
