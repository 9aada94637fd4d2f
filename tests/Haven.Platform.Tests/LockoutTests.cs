using Haven.Platform.Identity;
using Haven.Testing;

namespace Haven.Platform.Tests;

public sealed class LockoutTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private HavenTestApp App => fixture.App;

    private Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        App.CreateClient().PostJsonAsync("/api/auth/login", new { email, password });

    private async Task FailAsync(TestUser user, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await (await LoginAsync(user.Email, "wrong password " + i)).ShouldBeProblemAsync(401, "invalid_credentials");
        }
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        await FailAsync(user, 5);

        await (await LoginAsync(user.Email, user.Password)).ShouldBeProblemAsync(401, "invalid_credentials");

        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await LoginAsync(user.Email, user.Password)).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Four_wrong_passwords_do_not_lock()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        await FailAsync(user, 4);

        await (await LoginAsync(user.Email, user.Password)).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Each_further_lockout_in_a_row_lasts_twice_as_long()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        await FailAsync(user, 5);
        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        await FailAsync(user, 5);

        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await LoginAsync(user.Email, user.Password)).ShouldBeProblemAsync(401, "invalid_credentials");

        fixture.Clock.Advance(TimeSpan.FromSeconds(60));
        await (await LoginAsync(user.Email, user.Password)).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Wrong_passwords_tried_in_parallel_still_lock_the_account()
    {
        var user = await App.CreateUserAsync(HavenRoles.Kintaraa.Survivor);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => LoginAsync(user.Email, "parallel guess " + i)));

        await (await LoginAsync(user.Email, user.Password)).ShouldBeProblemAsync(401, "invalid_credentials");
    }
}

public sealed class ThrottledAddressFixture : HavenAppFixture
{
    protected override void Configure(HavenTestAppOptions options) => options.Settings["Haven:Identity:AddressFailureLimit"] = "6";
}

public sealed class AddressThrottlingTests(ThrottledAddressFixture fixture) : IClassFixture<ThrottledAddressFixture>
{
    [Fact]
    public async Task Many_failures_from_one_address_across_accounts_are_throttled()
    {
        var app = fixture.App;
        var victim = await app.CreateUserAsync(HavenRoles.Kintaraa.Survivor);
        for (var i = 0; i < 6; i++)
        {
            // Spraying one guess over many accounts never trips a per-account lockout; the address limit catches it.
            await (await app.CreateClient().PostJsonAsync("/api/auth/login", new { email = $"sprayed-{i}@test.haven", password = "Spring2026 password" }))
                .ShouldBeProblemAsync(401, "invalid_credentials");
        }

        var response = await app.CreateClient().PostJsonAsync("/api/auth/login", new { email = victim.Email, password = victim.Password });

        await response.ShouldBeProblemAsync(429, "login_throttled");
    }
}
