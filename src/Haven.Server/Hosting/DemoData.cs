using Haven.Platform.Modules;

namespace Haven.Server.Hosting;

public static class DemoData
{
    public static async Task<IReadOnlyList<DemoLogin>> SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DemoSeedContext(scope.ServiceProvider);
        foreach (var seeder in scope.ServiceProvider.GetServices<IDemoSeeder>().OrderBy(s => s.Order))
        {
            await seeder.SeedAsync(context, cancellationToken);
        }

        foreach (var module in scope.ServiceProvider.GetRequiredService<ModuleCatalog>().Enabled)
        {
            await module.SeedDemoAsync(context, cancellationToken);
        }

        return context.Logins;
    }

    public static void Print(IReadOnlyList<DemoLogin> logins, string url)
    {
        Console.WriteLine();
        Console.WriteLine($"Demo data loaded. Sign in at {url} with:");
        if (logins.Count == 0)
        {
            Console.WriteLine("  (no demo logins: no enabled module seeds users yet)");
        }

        foreach (var group in logins.GroupBy(l => l.Module))
        {
            Console.WriteLine($"  {group.Key}");
            foreach (var login in group)
            {
                Console.WriteLine($"    {login.Role,-22} {login.Login,-36} {login.Password}{(login.Note is null ? "" : "  " + login.Note)}");
            }
        }

        Console.WriteLine();
    }
}
