using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Security;

namespace Haven.Platform.Events;

/// <summary>
/// Encrypts event payloads at rest. Events copy what modules keep (chat messages, case status) and are kept for the
/// retention period, so they are protected like the module data they echo: AES-256-GCM under a key derived per event
/// (HKDF from the "events" key ring with a random 128-bit salt), bound to the event type. A fresh key per event makes
/// the fixed nonce safe and lifts GCM's per-key message limit; the key id stored beside each row lets keys rotate.
/// </summary>
internal sealed class EventPayloadProtector(KeyStore keys)
{
    public const string KeyName = "events";
    private const byte Version = 1;
    private const int SaltSize = 16;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + SaltSize + TagSize;
    private static readonly byte[] Info = "haven.events.payload.v1"u8.ToArray();

    public (byte[] Sealed, string KeyId) Protect(ReadOnlySpan<byte> plaintext, string type)
    {
        var key = keys.Get(KeyName).Current;
        var sealedBytes = new byte[HeaderSize + plaintext.Length];
        sealedBytes[0] = Version;
        var salt = sealedBytes.AsSpan(1, SaltSize);
        RandomNumberGenerator.Fill(salt);
        using var aes = new AesGcm(DeriveKey(key.Material, salt), TagSize);
        aes.Encrypt(stackalloc byte[12], plaintext, sealedBytes.AsSpan(HeaderSize), sealedBytes.AsSpan(1 + SaltSize, TagSize), Encoding.UTF8.GetBytes(type));
        return (sealedBytes, key.Id);
    }

    public byte[] Unprotect(byte[] sealedBytes, string keyId, string type)
    {
        if (sealedBytes.Length < HeaderSize || sealedBytes[0] != Version)
        {
            throw new CryptographicException("Event payload has an unknown format.");
        }

        var key = keys.Get(KeyName).Get(keyId);
        var plaintext = new byte[sealedBytes.Length - HeaderSize];
        using var aes = new AesGcm(DeriveKey(key.Material, sealedBytes.AsSpan(1, SaltSize)), TagSize);
        aes.Decrypt(stackalloc byte[12], sealedBytes.AsSpan(HeaderSize), sealedBytes.AsSpan(1 + SaltSize, TagSize), plaintext, Encoding.UTF8.GetBytes(type));
        return plaintext;
    }

    private static byte[] DeriveKey(byte[] master, ReadOnlySpan<byte> salt)
    {
        var derived = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, derived, salt, Info);
        return derived;
    }
}
