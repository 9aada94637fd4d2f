namespace Haven.Platform.Modules;

/// <summary>Kernel demo data (tenants, platform admin) that runs before the modules' own seeding; lower <see cref="Order"/> first.</summary>
public interface IDemoSeeder
{
    int Order { get; }

    Task SeedAsync(DemoSeedContext context, CancellationToken cancellationToken);
}
