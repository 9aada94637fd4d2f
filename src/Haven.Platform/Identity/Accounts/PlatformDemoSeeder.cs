using Haven.Platform.Modules;
using Haven.Platform.Tenancy;
using Microsoft.Extensions.Hosting;

namespace Haven.Platform.Identity.Accounts;

/// <summary>
/// Demo tenants of every kind and a platform administrator, before the modules seed their own data. The admin's
/// second factor uses <see cref="DemoMfa.Secret"/>, printed beside the login. Refuses to run in Production.
/// </summary>
internal sealed class PlatformDemoSeeder(IUserProvisioning provisioning, IHostEnvironment environment, ModuleCatalog modules) : IDemoSeeder
{
    public const string AdminEmail = "admin@haven.demo";
    public const string AdminPassword = "Haven platform demo 2026";

    public int Order => 0;

    public async Task SeedAsync(DemoSeedContext context, CancellationToken cancellationToken)
    {
        if (environment.IsProduction())
        {
            throw new InvalidOperationException("Demo data is never loaded in Production.");
        }

        foreach (var (module, kind, name) in DemoTenants.Where(t => modules.IsEnabled(t.Module)))
        {
            await provisioning.EnsureTenantAsync(module, kind, name, cancellationToken);
        }

        await provisioning.EnsureUserAsync(
            new UserSpec(AdminEmail, AdminPassword, "Platform Admin", [new RoleGrantSpec(HavenRoles.Platform.Admin)]) { MfaSecret = DemoMfa.Secret },
            cancellationToken);
        context.AddLogin("platform", HavenRoles.Platform.Admin, AdminEmail, AdminPassword, DemoMfa.Note);
    }

    /// <summary>The demo tenants; modules look them up by name to attach their demo users.</summary>
    public static readonly IReadOnlyList<(string Module, string Kind, string Name)> DemoTenants =
    [
        ("kintaraa", TenantKinds.Ngo, "Safe Haven NGO"),
        ("kintaraa", TenantKinds.ProviderOrganisation, "Nairobi Care Providers"),
        ("lers", TenantKinds.PoliceStation, "Central Police Station"),
        ("lers", TenantKinds.ProviderCompany, "Telecom Provider Ltd"),
        ("pss", TenantKinds.TrainingProgramme, "CAPACITI Cohort 2026"),
        ("ndas", TenantKinds.Clinic, "Sunrise Paediatric Clinic"),
    ];
}
