using System.Security.Cryptography;
using System.Text;

namespace Haven.Platform.Security;

/// <summary>
/// AES-256-GCM for small values sealed under a key-ring version — encrypted column values, wrapped file keys — in one
/// layout, <c>nonce (12, random) | ciphertext | tag (16)</c>, so the kernel has a single implementation of it.
/// Keys are per use: <see cref="DeriveKey"/> expands a version's configured material with HKDF-SHA-256 and a label,
/// so one configured secret never keys two different things. (Event payloads use a different construction on purpose:
/// a fresh key per event, see <c>EventPayloadProtector</c>.)
/// </summary>
internal static class Aead
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>Bytes a sealed value adds to its plaintext.</summary>
    public const int Overhead = NonceSize + TagSize;

    /// <summary>The 256-bit key for one use (<paramref name="label"/>) of a key-ring version.</summary>
    public static byte[] DeriveKey(KeyVersion version, string label) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, version.Material, KeySize, info: Encoding.UTF8.GetBytes(label));

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="output"/> (exactly <see cref="Overhead"/> bytes longer).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output)
    {
        if (output.Length != plaintext.Length + Overhead)
        {
            throw new ArgumentException("The output must be the plaintext's length plus the nonce and tag.", nameof(output));
        }

        var nonce = output[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.Slice(NonceSize, plaintext.Length), output[^TagSize..], associatedData);
    }

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[plaintext.Length + Overhead];
        Seal(key, plaintext, associatedData, output);
        return output;
    }

    /// <summary>Opens a sealed value; throws <see cref="CryptographicException"/> if it was altered, truncated or bound to other data.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        if (sealedValue.Length < Overhead)
        {
            throw new CryptographicException("A sealed value is truncated.");
        }

        var plaintext = new byte[sealedValue.Length - Overhead];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedValue[..NonceSize], sealedValue.Slice(NonceSize, plaintext.Length), sealedValue[^TagSize..], plaintext, associatedData);
        return plaintext;
    }
}
