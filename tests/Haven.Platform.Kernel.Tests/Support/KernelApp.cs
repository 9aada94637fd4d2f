using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Haven.Platform.Audit;
using Haven.Platform.Identity;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Support;

/// <summary>
/// The real application with the test module mapped, its own database (plus the test schema) and its own file folder,
/// and intent methods for what the tests do through the API.
/// </summary>
public sealed class KernelApp : IAsyncDisposable
{
    private KernelApp(HavenTestApp app) => App = app;

    public HavenTestApp App { get; }

    /// <summary>The database the application actually uses (a test may point a second app at the first one's).</summary>
    public string DatabaseConnectionString => App.DatabaseConnectionString;

    public static async Task<KernelApp> StartAsync(Action<HavenTestAppOptions>? configure = null)
    {
        var app = await HavenTestApp.StartAsync(o =>
        {
            configure?.Invoke(o);
            var services = o.Services;
            o.Services = s =>
            {
                KernelTestModule.AddServices(s);
                services?.Invoke(s);
            };
            var endpoints = o.Endpoints;
            o.Endpoints = e =>
            {
                KernelTestModule.MapEndpoints(e);
                endpoints?.Invoke(e);
            };
        });
        var kernel = new KernelApp(app);
        await kernel.ExecuteAsync(KernelTestModule.SchemaSql);
        return kernel;
    }

    /// <summary>
    /// The access token of a signed-in account shared by this app's tests, for requests that only need somebody signed
    /// in (the test module's endpoints admit any signed-in user). A candidate: no second factor, and no TOTP secret
    /// that a second app with other keys could not read.
    /// </summary>
    public async Task<string> ClerkTokenAsync() => (await App.SharedUserAsync(HavenRoles.Pss.Candidate)).Tokens.AccessToken;

    public async Task<HttpClient> ClerkAsync() => App.CreateClient(await ClerkTokenAsync());

    /// <summary>A new account of its own, signed in through identity: for tests that check who did something.</summary>
    public Task<(HttpClient Client, TestUser User)> NewUserAsync(string role = HavenRoles.Pss.Candidate, Guid? tenantId = null) =>
        App.SignedInClientAsync(role, tenantId);

    /// <summary>A real platform admin, signed in through identity (second factor included), shared by the app's tests.</summary>
    public async Task<HttpClient> PlatformAdminAsync() => App.CreateClient((await App.SharedUserAsync(HavenRoles.Platform.Admin)).Tokens.AccessToken);

    public async Task<Guid> CreatePatientAsync(HttpClient client, string name, string? diagnosis = null, string? idNumber = null, string? notes = null, string status = "open")
    {
        var response = await client.PostJsonAsync("/test/patients", new KernelTestModule.CreatePatient(name, status, diagnosis, idNumber, notes));
        var body = await response.ShouldBeJsonAsync(201);
        return body["id"]!.GetValue<Guid>();
    }

    /// <summary>Uploads raw bytes as the body (the way the mobile app streams video).</summary>
    public async Task<HttpResponseMessage> UploadAsync(HttpClient client, string use, byte[] content, string fileName)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync($"/test/files/{use}?file_name={Uri.EscapeDataString(fileName)}", body);
    }

    public async Task<Guid> UploadOkAsync(HttpClient client, string use, byte[] content, string fileName)
    {
        var response = await UploadAsync(client, use, content, fileName);
        var body = await response.ShouldBeJsonAsync(201);
        return body["id"]!.GetValue<Guid>();
    }

    public async Task<List<AuditEntryResponse>> AuditEntriesAsync(string? action = null) => await AuditEntriesAsync(await PlatformAdminAsync(), action);

    public async Task<List<AuditEntryResponse>> AuditEntriesAsync(HttpClient client, string? action = null)
    {
        var page = await (await client.GetAsync("/api/platform/audit/entries?page_size=100" + (action is null ? "" : "&action=" + Uri.EscapeDataString(action))))
            .ShouldBeOkAsync<AuditPage>();
        return [.. page.Items];
    }

    public async Task<AuditVerifyResponse> VerifyAsync(object? request = null)
    {
        var response = await (await PlatformAdminAsync()).PostAsJsonAsync("/api/platform/audit/verify", request ?? new { }, HttpAssertions.Json);
        return await response.ShouldBeOkAsync<AuditVerifyResponse>();
    }

    public Task ExecuteAsync(string sql, params object[] parameters) => App.ExecuteSqlAsync(sql, parameters);

    /// <summary>Runs SQL as a superuser with triggers disabled: what an attacker with full database access could do.</summary>
    public Task TamperAsync(string sql) => ExecuteAsync("SET session_replication_role = replica; " + sql + "; SET session_replication_role = origin;");

    public Task<T?> ScalarAsync<T>(string sql, params object[] parameters) => App.ScalarAsync<T>(sql, parameters);

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>One kernel app per test class; tests in the class create their own data.</summary>
public sealed class KernelAppFixture : IAsyncLifetime
{
    private KernelApp? _app;

    public KernelApp App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public async ValueTask InitializeAsync() => _app = await KernelApp.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
