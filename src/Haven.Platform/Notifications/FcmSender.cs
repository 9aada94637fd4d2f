using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Notifications;

/// <summary>The neutral prompt a push carries: platform-configured text plus the notification's opaque id.</summary>
internal sealed record PushMessage(string Title, string Body, Guid NotificationId, bool Urgent);

internal abstract record PushResult
{
    private PushResult()
    {
    }

    public static PushResult Delivered { get; } = new DeliveredResult();

    /// <summary>FCM says the token is dead (app uninstalled, token rotated): forget the device.</summary>
    public static PushResult Unregistered { get; } = new UnregisteredResult();

    internal sealed record DeliveredResult : PushResult;

    internal sealed record UnregisteredResult : PushResult;

    internal sealed record Transient(string Reason, TimeSpan? After) : PushResult;

    internal sealed record Rejected(string Reason) : PushResult;
}

/// <summary>
/// Sends through the FCM HTTP v1 API: an OAuth2 access token obtained with a service-account JWT (RS256, signed with
/// System.Security.Cryptography — the JWT-bearer grant of RFC 7523), cached until shortly before it expires, then
/// <c>POST {base}/v1/projects/{project}/messages:send</c>.
/// </summary>
internal sealed class FcmSender(IHttpClientFactory httpClients, IOptions<PushOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "fcm";
    private const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private ServiceAccount? _account;
    private (string Value, DateTimeOffset RefreshAt)? _accessToken;

    public async Task<PushResult> SendAsync(string deviceToken, PushMessage message, CancellationToken cancellationToken)
    {
        var fcm = options.Value.Fcm;
        var account = _account ??= ServiceAccount.Load(fcm);
        var accessToken = await AccessTokenAsync(account, cancellationToken);
        var project = fcm.ProjectId ?? account.ProjectId;
        var body = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["token"] = deviceToken,
                ["notification"] = new JsonObject { ["title"] = message.Title, ["body"] = message.Body },
                ["data"] = new JsonObject { ["notification_id"] = message.NotificationId.ToString("D") },
                // One collapsible entry on the lock screen, however many notifications arrive.
                ["android"] = new JsonObject
                {
                    ["priority"] = message.Urgent ? "HIGH" : "NORMAL",
                    ["notification"] = new JsonObject { ["tag"] = "haven" },
                },
                ["apns"] = new JsonObject
                {
                    ["headers"] = new JsonObject { ["apns-priority"] = message.Urgent ? "10" : "5", ["apns-collapse-id"] = "haven" },
                },
            },
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{fcm.BaseUrl.TrimEnd('/')}/v1/projects/{Uri.EscapeDataString(project)}/messages:send")
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new("Bearer", accessToken);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return PushResult.Delivered;
        }

        var errorCode = await ErrorCodeAsync(response, cancellationToken);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        switch (response.StatusCode)
        {
            case var _ when errorCode == "UNREGISTERED":
                return PushResult.Unregistered;
            case HttpStatusCode.Unauthorized:
                // The access token was revoked or expired early: fetch a new one on the retry.
                _accessToken = null;
                return new PushResult.Transient("fcm_unauthenticated", TimeSpan.FromSeconds(1));
            case HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout:
                return new PushResult.Transient($"fcm_{(int)response.StatusCode}_{errorCode ?? "error"}", retryAfter);
            default:
                return new PushResult.Rejected($"fcm_{(int)response.StatusCode}_{errorCode ?? "error"}");
        }
    }

    private async Task<string> AccessTokenAsync(ServiceAccount account, CancellationToken cancellationToken)
    {
        if (_accessToken is { } cached && clock.GetUtcNow() < cached.RefreshAt)
        {
            return cached.Value;
        }

        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow();
            if (_accessToken is { } again && now < again.RefreshAt)
            {
                return again.Value;
            }

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ["assertion"] = account.CreateAssertion(now, Scope),
            });
            using var response = await httpClients.CreateClient(HttpClientName).PostAsync(account.TokenUri, form, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The OAuth token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
            }

            var token = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var value = token.GetProperty("access_token").GetString() ?? throw new HttpRequestException("The OAuth token response has no access_token.");
            var lifetime = token.TryGetProperty("expires_in", out var expires) ? TimeSpan.FromSeconds(expires.GetInt32()) : TimeSpan.FromMinutes(30);
            _accessToken = (value, now + lifetime - TimeSpan.FromMinutes(5));
            return value;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>The FCM error code (<c>UNREGISTERED</c>, <c>INVALID_ARGUMENT</c>…) from the v1 error body, if any.</summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("error");
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    if (detail.TryGetProperty("errorCode", out var code))
                    {
                        return code.GetString();
                    }
                }
            }

            return error.TryGetProperty("status", out var status) ? status.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>A Google service account key (the JSON file Firebase issues), able to sign its OAuth JWT assertion.</summary>
internal sealed class ServiceAccount
{
    private readonly RSA _key;

    private ServiceAccount(string clientEmail, string privateKeyId, string tokenUri, string projectId, RSA key)
    {
        ClientEmail = clientEmail;
        PrivateKeyId = privateKeyId;
        TokenUri = tokenUri;
        ProjectId = projectId;
        _key = key;
    }

    public string ClientEmail { get; }

    public string PrivateKeyId { get; }

    public string TokenUri { get; }

    public string ProjectId { get; }

    public static ServiceAccount Load(FcmOptions options)
    {
        var json = !string.IsNullOrWhiteSpace(options.ServiceAccountJson)
            ? options.ServiceAccountJson
            : File.ReadAllText(options.ServiceAccountFile ?? throw new InvalidOperationException("Push is not configured (Haven:Push:Fcm)."));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Field(string name) => root.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidOperationException($"The FCM service account has no '{name}'.");

        var key = RSA.Create();
        key.ImportFromPem(Field("private_key"));
        return new ServiceAccount(Field("client_email"), Field("private_key_id"), Field("token_uri"), Field("project_id"), key);
    }

    /// <summary>The signed JWT for the JWT-bearer grant: valid one hour, audience the token endpoint.</summary>
    public string CreateAssertion(DateTimeOffset now, string scope)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = PrivateKeyId });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = ClientEmail,
            ["scope"] = scope,
            ["aud"] = TokenUri,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
