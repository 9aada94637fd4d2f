using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Haven.Platform.Events.Tests.Support;

/// <summary>
/// A local stand-in for Google's OAuth token endpoint and the FCM HTTP v1 send endpoint that records every request.
/// It checks the JWT assertion the way Google does (RS256 signature with the service account's public key), and
/// answers sends with whatever the test scripted for the device token (default: 200).
/// </summary>
public sealed class FakeFcm : IAsyncDisposable
{
    public const string ProjectId = "haven-test";
    public const string ClientEmail = "haven-push@haven-test.iam.gserviceaccount.com";
    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentQueue<RecordedSend> _sends = new();
    private readonly ConcurrentQueue<JsonObject> _assertions = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Body, int? RetryAfter)>> _scripts = new();
    private int _tokens;

    private FakeFcm(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public string ServiceAccountJson { get; private set; } = "";

    public IReadOnlyList<RecordedSend> Sends => [.. _sends];

    /// <summary>The decoded claims of every JWT assertion whose signature verified.</summary>
    public IReadOnlyList<JsonObject> Assertions => [.. _assertions];

    public int TokensIssued => _tokens;

    public static async Task<FakeFcm> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeFcm(app);
        app.MapPost("/token", fake.TokenAsync);
        app.MapPost("/v1/projects/{project}/messages:send", fake.SendAsync);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        fake.ServiceAccountJson = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = ProjectId,
            ["private_key_id"] = "test-key-1",
            ["private_key"] = fake._key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = ClientEmail,
            ["token_uri"] = new Uri(fake.BaseAddress, "/token").ToString(),
        });
        return fake;
    }

    /// <summary>The next sends to <paramref name="deviceToken"/> get these answers, in order (then 200).</summary>
    public void Script(string deviceToken, params (int Status, string Body, int? RetryAfter)[] answers) =>
        _scripts[deviceToken] = new ConcurrentQueue<(int, string, int?)>(answers);

    public static (int, string, int?) Unregistered() => (404, """
        {"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND",
        "details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}
        """, null);

    public static (int, string, int?) Unavailable(int retryAfterSeconds) => (503, """
        {"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE",
        "details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNAVAILABLE"}]}}
        """, retryAfterSeconds);

    public IReadOnlyList<RecordedSend> SendsTo(string deviceToken) => [.. _sends.Where(s => s.DeviceToken == deviceToken)];

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || VerifiedClaims(form["assertion"].ToString()) is not { } claims)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        _assertions.Enqueue(claims);
        var number = Interlocked.Increment(ref _tokens);
        return Results.Json(new { access_token = $"fake-access-token-{number}", expires_in = 3599, token_type = "Bearer" });
    }

    private async Task<IResult> SendAsync(string project, HttpRequest request, HttpResponse response)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
        var deviceToken = body["message"]?["token"]?.GetValue<string>() ?? "";
        _sends.Enqueue(new RecordedSend(project, request.Headers.Authorization.ToString(), deviceToken, body));
        if (_scripts.TryGetValue(deviceToken, out var script) && script.TryDequeue(out var answer))
        {
            if (answer.RetryAfter is { } seconds)
            {
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Results.Content(answer.Body, "application/json", Encoding.UTF8, answer.Status);
        }

        return Results.Json(new { name = $"projects/{project}/messages/{Guid.NewGuid():N}" });
    }

    private JsonObject? VerifiedClaims(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (header["alg"]?.GetValue<string>() != "RS256"
            || !_key.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return null;
        }

        return JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }
}

public sealed record RecordedSend(string Project, string Authorization, string DeviceToken, JsonObject Body);
