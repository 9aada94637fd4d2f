using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Providers;
using Haven.Kintaraa.Tests.Support;
using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Providers;

public sealed class ProviderProfileTests(KintaraaFixture fixture) : KintaraaTest(fixture)
{
    [Fact]
    public async Task A_provider_creates_their_profile_with_the_type_of_their_role_and_waits_for_verification()
    {
        var (client, _) = await App.SignedInClientAsync(HavenRoles.Kintaraa.Provider, providerType: ProviderTypes.Legal);
        await (await client.Get("/api/kintaraa/providers/me")).ShouldBeProblemAsync(404, "profile_missing");

        var created = await (await client.Put("/api/kintaraa/providers/me", new ProviderProfileRequest(null, "Wanjiku Kamau", "FIDA Kenya", ["family law"], ["legal advice", "court representation"],
            "+254722000000", "Kilimani, Nairobi", -1.29, 36.78, "Africa/Nairobi", null, true, false, 12))).ShouldBeOkAsync<ProviderProfile>(201);

        created.ProviderType.Should().Be(ProviderType.Legal);
        created.IsVerified.Should().BeFalse();
        created.WorkingHours.Should().HaveCount(5, "a new profile starts with office hours");
        created.InWorkingHoursNow.Should().BeTrue("it is Tuesday 10:00 in Nairobi");
        created.Capacity.Should().Be(12);
        created.Caseload.Should().Be(0);
    }

    [Fact]
    public async Task Profile_changes_need_the_current_version_and_a_known_time_zone()
    {
        var provider = await World.ProviderAsync(ProviderType.Counseling);
        var profile = await (await provider.Client.Get("/api/kintaraa/providers/me")).ShouldBeOkAsync<ProviderProfile>();
        var change = new ProviderProfileRequest(profile.Version, profile.DisplayName, profile.Organisation, null, null, null, null, profile.Latitude, profile.Longitude,
            "Africa/Kampala", [new WorkingPeriodDto(DayOfWeek.Saturday, new TimeOnly(9, 0), new TimeOnly(13, 0))], null, true, 4);

        await (await provider.Client.Put("/api/kintaraa/providers/me", change with { Version = profile.Version - 1 })).ShouldBeProblemAsync(409, "version_conflict");
        await (await provider.Client.Put("/api/kintaraa/providers/me", change with { TimeZone = "Nairobi" })).ShouldBeProblemAsync(400, "validation_failed");
        var saved = await (await provider.Client.Put("/api/kintaraa/providers/me", change)).ShouldBeOkAsync<ProviderProfile>();

        saved.TimeZone.Should().Be("Africa/Kampala");
        saved.OnCall.Should().BeTrue();
        saved.InWorkingHoursNow.Should().BeFalse();
        saved.IsVerified.Should().BeTrue("the organisation did not change");
        var renamed = await (await provider.Client.Put("/api/kintaraa/providers/me", change with { Version = saved.Version, Organisation = "Another NGO" })).ShouldBeOkAsync<ProviderProfile>();
        renamed.IsVerified.Should().BeFalse("a new organisation must be verified again");
    }

    [Fact]
    public async Task Only_verified_and_available_providers_are_routed_cases()
    {
        var provider = await World.ProviderAsync(ProviderType.Police, verified: false);
        var admin = await World.AdminAsync();
        (await World.ReportAsync(await World.SurvivorAsync(), SupportService.Police)).Referrals.Single().Queued.Should().BeTrue();

        await (await admin.Post($"/api/kintaraa/providers/{provider.Id}/verify", new VerificationRequest("Checked OB number and station letter"))).ShouldBeOkAsync<ProviderProfile>();
        (await World.ReportAsync(await World.SurvivorAsync(), SupportService.Police)).Referrals.Single().Provider!.Id.Should().Be(provider.Id);

        await (await provider.Client.Put("/api/kintaraa/providers/me/availability", new AvailabilityRequest(false, null))).ShouldBeOkAsync<ProviderProfile>();
        (await World.ReportAsync(await World.SurvivorAsync(), SupportService.Police)).Referrals.Single().Queued.Should().BeTrue("the officer is away");
    }

    [Fact]
    public async Task Admins_find_providers_by_type_verification_and_name()
    {
        var unverified = await World.ProviderAsync(ProviderType.Chw, verified: false, organisation: $"Mathare Community Health {Guid.NewGuid():N}");
        var admin = await World.AdminAsync();

        var found = await (await admin.Get($"/api/kintaraa/providers?type=chw&verified=false&q={Uri.EscapeDataString(unverified.Organisation[..20].ToLowerInvariant())}"))
            .ShouldBeOkAsync<PageOf<ProviderProfile>>();

        found.Items.Should().Contain(p => p.Id == unverified.Id).And.OnlyContain(p => p.ProviderType == ProviderType.Chw && !p.IsVerified);
        (await (await admin.Get($"/api/kintaraa/providers/{unverified.Id}")).ShouldBeOkAsync<ProviderProfile>()).Organisation.Should().Be(unverified.Organisation);
        await (await admin.Get($"/api/kintaraa/providers/{Guid.NewGuid()}")).ShouldBeProblemAsync(404, "not_found");
    }
}
