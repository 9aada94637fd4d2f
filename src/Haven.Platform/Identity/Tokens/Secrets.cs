using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Haven.Platform.Identity.Tokens;

/// <summary>Random bearer secrets (refresh tokens, emailed tokens) and their stored form: a SHA-256 hash, never the secret.</summary>
public static class Secrets
{
    /// <summary>256 random bits, base64url: unguessable, so a plain hash (no salt, no stretching) is the right stored form.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
