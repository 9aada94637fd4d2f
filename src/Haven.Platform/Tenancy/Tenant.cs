namespace Haven.Platform.Tenancy;

/// <summary>
/// An organisation that owns data inside one module: a police station or provider company (LERS),
/// an NGO or provider organisation (Kintaraa), a training programme (PSS), a clinic (NDAS).
/// </summary>
public sealed class Tenant
{
    public Guid Id { get; set; }

    /// <summary>The module whose data this tenant isolates (<see cref="Modules.IHavenModule.Name"/>).</summary>
    public required string Module { get; set; }

    public required string Kind { get; set; }

    public required string Name { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}

public static class TenantKinds
{
    public const string PoliceStation = "police_station";
    public const string ProviderCompany = "provider_company";
    public const string Ngo = "ngo";
    public const string ProviderOrganisation = "provider_organisation";
    public const string Clinic = "clinic";
    public const string TrainingProgramme = "training_programme";
    public const string Platform = "platform";

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        PoliceStation, ProviderCompany, Ngo, ProviderOrganisation, Clinic, TrainingProgramme, Platform,
    };
}
