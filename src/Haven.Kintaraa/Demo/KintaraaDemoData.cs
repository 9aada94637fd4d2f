using System.Security.Cryptography;
using System.Text;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Routing;
using Haven.Platform.Identity;
using Haven.Platform.Modules;
using Haven.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Kintaraa.Demo;

/// <summary>
/// Kintaraa's demo world around Nairobi: a coordinator, verified providers of every type (and one awaiting
/// verification), two survivors, and cases in every state with referrals, consent, conversations, appointments and
/// notes. Everything has a fixed id derived from its name, so a second run finds it and adds nothing.
/// </summary>
internal sealed class KintaraaDemoData(IServiceProvider services)
{
    public const string AdminEmail = "coordinator@kintaraa.demo";
    public const string AdminPassword = "Safe haven network 2026";
    public const string ProviderPassword = "Partner in care 2026";
    public const string SurvivorPassword = "Walking towards safety 2026";

    /// <summary>The anonymous demo case's receipt code: fixed so every run prints the same one (demo only).</summary>
    public const string DemoReceiptCode = "2026-1125-0000-0001";

    private sealed record DemoProvider(string Key, ProviderType Type, string Name, string Organisation, double Latitude, double Longitude,
        string[] Services, bool OnCall, bool Verified = true, bool AroundTheClock = false);

    private static readonly DemoProvider[] Providers =
    [
        new("nwh", ProviderType.Healthcare, "Dr. Achieng Otieno", "Nairobi Women's Hospital GBVRC", -1.2966, 36.7920, ["PEP", "emergency contraception", "P3 form", "forensic exam"], OnCall: true),
        new("knh", ProviderType.Healthcare, "Dr. James Kiprotich", "Kenyatta National Hospital GBVRC", -1.3009, 36.8066, ["PEP", "trauma care", "PRC form"], OnCall: false),
        new("fida", ProviderType.Legal, "Wanjiku Kamau", "FIDA Kenya", -1.2921, 36.7856, ["legal advice", "court representation", "protection orders"], OnCall: false),
        new("kilimani", ProviderType.Police, "Inspector Mary Wanjiru", "Kilimani Police Station Gender Desk", -1.2889, 36.7833, ["statements", "investigation", "OB numbers"], OnCall: true, AroundTheClock: true),
        new("lvct", ProviderType.Counseling, "Grace Mwangi", "LVCT Health Counselling", -1.2750, 36.8150, ["trauma counselling", "support groups"], OnCall: false),
        new("county", ProviderType.Social, "Peter Ochieng", "Nairobi County Social Services", -1.2833, 36.8167, ["shelter referrals", "cash transfers", "school fees"], OnCall: false),
        new("rescue", ProviderType.GbvRescue, "Rescue Team Tumaini", "Tumaini Rescue Centre", -1.3100, 36.8300, ["safe house", "emergency transport"], OnCall: true, AroundTheClock: true),
        new("mathare", ProviderType.Chw, "Halima Abdi", "Mathare Community Health Volunteers", -1.2600, 36.8580, ["home visits", "follow-up"], OnCall: false),
        new("newhope", ProviderType.Healthcare, "Dr. Samuel Njoroge", "New Hope Clinic Kawangware", -1.2850, 36.7450, ["PEP"], OnCall: false, Verified: false),
    ];

    public async Task SeedAsync(DemoSeedContext context, CancellationToken cancellationToken)
    {
        var provisioning = services.GetRequiredService<IUserProvisioning>();
        var db = services.GetRequiredService<KintaraaDbContext>();
        var clock = services.GetRequiredService<TimeProvider>();
        var caseNumbers = services.GetRequiredService<CaseNumbers>();
        var receipts = services.GetRequiredService<ReceiptCodes>();
        var organisation = await provisioning.EnsureTenantAsync(KintaraaModule.ModuleName, TenantKinds.ProviderOrganisation, "Nairobi Care Providers", cancellationToken);

        var admin = await provisioning.EnsureUserAsync(new UserSpec(AdminEmail, AdminPassword, "Kintaraa Coordinator",
            [new RoleGrantSpec(HavenRoles.Kintaraa.Admin)]) { MfaSecret = DemoMfa.Secret }, cancellationToken);
        context.AddLogin(KintaraaModule.ModuleName, HavenRoles.Kintaraa.Admin, AdminEmail, AdminPassword, DemoMfa.Note);

        var now = clock.GetUtcNow();
        var providers = new Dictionary<string, Provider>();
        foreach (var (p, index) in Providers.Select((p, i) => (p, i)))
        {
            var email = $"{p.Key}@kintaraa.demo";
            var user = await provisioning.EnsureUserAsync(new UserSpec(email, ProviderPassword, p.Name,
                [new RoleGrantSpec(HavenRoles.Kintaraa.Provider, organisation.Id, SnakeEnum<ProviderType>.Name(p.Type))]) { MfaSecret = DemoMfa.Secret }, cancellationToken);
            context.AddLogin(KintaraaModule.ModuleName, $"{HavenRoles.Kintaraa.Provider} ({SnakeEnum<ProviderType>.Name(p.Type)})", email, ProviderPassword,
                (p.Verified ? "" : "awaiting verification; ") + DemoMfa.Note);
            var id = DemoId("provider", p.Key);
            var provider = await db.Providers.FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
            if (provider is null)
            {
                provider = new Provider
                {
                    Id = id,
                    UserId = user.Id,
                    TenantId = organisation.Id,
                    ProviderType = p.Type,
                    DisplayName = p.Name,
                    Organisation = p.Organisation,
                    Specialisations = ["gender-based violence"],
                    Services = [.. p.Services],
                    Phone = "+2547200001" + index.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
                    Address = p.Type == ProviderType.GbvRescue ? null : $"{p.Organisation}, Nairobi",
                    Latitude = p.Latitude,
                    Longitude = p.Longitude,
                    TimeZone = "Africa/Nairobi",
                    WorkingHours = p.AroundTheClock ? WorkingHours.AroundTheClock() : WorkingHours.OfficeHours(),
                    IsAvailable = true,
                    OnCall = p.OnCall,
                    Capacity = p.Type == ProviderType.GbvRescue ? 6 : 15,
                    IsVerified = p.Verified,
                    VerifiedAt = p.Verified ? now.AddDays(-60) : null,
                    VerifiedBy = p.Verified ? admin.Id : null,
                    Rating = p.Verified ? 4.2m + (p.Key.Length % 7 / 10m) : null,
                    RatingCount = p.Verified ? 8 + p.Key.Length : 0,
                    ResponseTimeMinutes = p.Verified ? 6 + (p.Key.Length * 3 % 25) : null,
                    ResponseCount = p.Verified ? 20 : 0,
                    CreatedAt = now.AddDays(-90),
                    UpdatedAt = now.AddDays(-60),
                    Version = 1,
                };
                db.Providers.Add(provider);
            }

            providers[p.Key] = provider;
        }

        await db.SaveChangesAsync(cancellationToken);

        var amina = await provisioning.EnsureUserAsync(new UserSpec("amina@kintaraa.demo", SurvivorPassword, "Amina Hassan", [new RoleGrantSpec(HavenRoles.Kintaraa.Survivor)]), cancellationToken);
        var faith = await provisioning.EnsureUserAsync(new UserSpec("faith@kintaraa.demo", SurvivorPassword, "Faith Njeri", [new RoleGrantSpec(HavenRoles.Kintaraa.Survivor)]), cancellationToken);
        context.AddLogin(KintaraaModule.ModuleName, HavenRoles.Kintaraa.Survivor, "amina@kintaraa.demo", SurvivorPassword, "named cases in every state");
        context.AddLogin(KintaraaModule.ModuleName, HavenRoles.Kintaraa.Survivor, "faith@kintaraa.demo", SurvivorPassword, "an anonymous case and an SOS alert");
        context.AddLogin(KintaraaModule.ModuleName, "anonymous receipt", DemoReceiptCode, "(no password)", "POST /api/kintaraa/receipts/lookup");

        var cases = new DemoCases(db, caseNumbers, receipts, providers, now);
        await cases.InProgressAsync(amina.Id, cancellationToken);
        await cases.CompletedAsync(amina.Id, cancellationToken);
        await cases.ClosedAsync(amina.Id, cancellationToken);
        await cases.AnonymousAssignedAsync(faith.Id, cancellationToken);
        await cases.AwaitingConsentAsync(faith.Id, cancellationToken);
        await cases.SosAsync(faith.Id, cancellationToken);
        await cases.SafetyPlanAsync(amina.Id, cancellationToken);

        // Caseloads follow the seeded referrals, however often this runs.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE kintaraa.providers p
            SET caseload = (SELECT count(*) FROM kintaraa.referrals r WHERE r.provider_id = p.id AND r.status IN ('pending', 'accepted'))
            """, cancellationToken);
    }

    /// <summary>A stable id for a named demo record (UUID-shaped SHA-256 of its name).</summary>
    public static Guid DemoId(string kind, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"kintaraa-demo:{kind}:{name}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }
}
