using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Haven.Platform.Security;

namespace Haven.Platform.Identity.Tokens;

/// <summary>What a Haven token says. <see cref="Type"/> keeps an MFA challenge from ever passing as an access token.</summary>
public sealed record TokenPayload
{
    [JsonPropertyName("typ")] public required string Type { get; init; }

    [JsonPropertyName("sub")] public required Guid UserId { get; init; }

    [JsonPropertyName("sid")] public Guid? SessionId { get; init; }

    /// <summary>Role grants as claim values (<c>module.role</c> or <c>module.role@tenant</c>).</summary>
    [JsonPropertyName("rol")] public IReadOnlyList<string> Roles { get; init; } = [];

    [JsonPropertyName("pty")] public string? ProviderType { get; init; }

    /// <summary>The user's authorization version when issued; a later role change makes the token stale.</summary>
    [JsonPropertyName("azv")] public int AuthzVersion { get; init; }

    [JsonPropertyName("rst")] public bool Restricted { get; init; }

    [JsonPropertyName("iat")] public long IssuedAt { get; init; }

    [JsonPropertyName("exp")] public long ExpiresAt { get; init; }
}

public static class TokenTypes
{
    public const string Access = "access";
    public const string MfaChallenge = "mfa";
}

public enum TokenFailure
{
    None,
    Malformed,
    UnknownKey,
    BadSignature,
    WrongType,
    Expired,
}

/// <summary>
/// A deliberately small signed-token format (no JWT library is available, and JWT's algorithm agility is a known
/// hazard): <c>hv1.{key id}.{base64url payload}.{base64url HMAC-SHA256}</c>. The version prefix fixes the algorithm —
/// there is no header to negotiate one, so "alg: none" and algorithm confusion cannot arise. The MAC covers prefix,
/// key id and payload and is compared in constant time before the payload is parsed. Keys come from the
/// <c>token-signing</c> key ring: the current version signs, every configured version verifies, so keys rotate.
/// </summary>
public sealed class TokenSigner(KeyStore keys, TimeProvider clock)
{
    public const string KeyName = "token-signing";
    private const string Prefix = "hv1";
    private const int MaxTokenLength = 8 * 1024;
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Sign(TokenPayload payload)
    {
        var key = keys.Get(KeyName).Current;
        var body = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload, Json));
        var signed = $"{Prefix}.{key.Id}.{body}";
        return signed + "." + Base64Url.EncodeToString(Mac(key.Material, signed));
    }

    public TokenFailure Validate(string? token, string expectedType, out TokenPayload? payload)
    {
        payload = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return TokenFailure.Malformed;
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Prefix || parts[1].Length == 0)
        {
            return TokenFailure.Malformed;
        }

        var ring = keys.Get(KeyName);
        if (!ring.Versions.TryGetValue(parts[1], out var key))
        {
            return TokenFailure.UnknownKey;
        }

        if (!TryDecode(parts[3], out var mac) || mac.Length != 32)
        {
            return TokenFailure.Malformed;
        }

        var expected = Mac(key.Material, $"{parts[0]}.{parts[1]}.{parts[2]}");
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
        {
            return TokenFailure.BadSignature;
        }

        try
        {
            if (!TryDecode(parts[2], out var body) || JsonSerializer.Deserialize<TokenPayload>(body, Json) is not { } parsed)
            {
                return TokenFailure.Malformed;
            }

            payload = parsed;
        }
        catch (JsonException)
        {
            return TokenFailure.Malformed;
        }

        if (payload.Type != expectedType)
        {
            payload = null;
            return TokenFailure.WrongType;
        }

        if (clock.GetUtcNow().ToUnixTimeSeconds() >= payload.ExpiresAt)
        {
            return TokenFailure.Expired;
        }

        return TokenFailure.None;
    }

    private static byte[] Mac(byte[] key, string signed) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signed));

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (!Base64Url.IsValid(text))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(text);
        return true;
    }
}
