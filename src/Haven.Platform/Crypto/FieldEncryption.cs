using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Security;

namespace Haven.Platform.Crypto;

/// <summary>How a value is normalized before its blind index is computed, so equal-meaning inputs find each other.</summary>
public enum BlindIndexNormalization
{
    /// <summary>Byte-for-byte.</summary>
    Exact,

    /// <summary>Surrounding whitespace removed, case ignored (e-mail addresses, names).</summary>
    TrimIgnoreCase,

    /// <summary>Only letters and digits kept, case ignored: <c>"a 123-456"</c> equals <c>"A123456"</c> (ID and phone numbers).</summary>
    AlphanumericIgnoreCase,
}

/// <summary>
/// AES-256-GCM for sensitive column values, and keyed blind indexes (HMAC-SHA-256) for exact-match search on them.
/// <para>
/// Envelope (bytea): <c>0x01 | key-id length (1 byte) | key id (ASCII) | nonce (12) | ciphertext | tag (16)</c>
/// (the version and key id, then <see cref="Aead"/>'s sealed value).
/// The associated data binds the version, the key id and the column's purpose (<c>schema.table.column</c>), so a
/// value copied into another column does not decrypt. Keys: ring <c>fields</c> encrypts (its current version for new
/// writes, any configured version to read); ring <c>field-index</c> keys the blind indexes. Each ring version's material
/// is expanded with HKDF-SHA-256 for its single purpose.
/// </para>
/// </summary>
public sealed class FieldEncryption(KeyStore keys)
{
    public const string KeyName = "fields";
    public const string IndexKeyName = "field-index";
    public const string EncryptedAnnotation = "Haven:Encrypted";
    public const string BlindIndexOfAnnotation = "Haven:BlindIndexOf";
    public const byte EnvelopeVersion = 1;

    private readonly ConcurrentDictionary<(string Ring, string Id), byte[]> _derived = new();

    /// <summary>The key id new values are encrypted under.</summary>
    public string CurrentKeyId => keys.Get(KeyName).Current.Id;

    public byte[] Encrypt(string plaintext, string purpose)
    {
        var version = keys.Get(KeyName).Current;
        var keyId = Encoding.ASCII.GetBytes(version.Id);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var envelope = new byte[2 + keyId.Length + plain.Length + Aead.Overhead];
        envelope[0] = EnvelopeVersion;
        envelope[1] = checked((byte)keyId.Length);
        keyId.CopyTo(envelope.AsSpan(2));
        Aead.Seal(Derive(KeyName, version), plain, AssociatedData(version.Id, purpose), envelope.AsSpan(2 + keyId.Length));
        CryptographicOperations.ZeroMemory(plain);
        return envelope;
    }

    public string Decrypt(byte[] envelope, string purpose)
    {
        var keyId = KeyIdOf(envelope);
        var version = keys.Get(KeyName).Get(keyId);
        var plain = Aead.Open(Derive(KeyName, version), envelope.AsSpan(2 + envelope[1]), AssociatedData(keyId, purpose));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The id of the key a stored value was encrypted under (rotation re-encrypts values not under the current one).</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < 2 || envelope[0] != EnvelopeVersion || envelope.Length < 2 + envelope[1])
        {
            throw new CryptographicException("This is not a Haven encrypted field value (unknown envelope version).");
        }

        return Encoding.ASCII.GetString(envelope.Slice(2, envelope[1]));
    }

    /// <summary>The envelope prefix (version, key-id length, key id) of values under the current key.</summary>
    public byte[] CurrentPrefix()
    {
        var id = Encoding.ASCII.GetBytes(CurrentKeyId);
        return [EnvelopeVersion, checked((byte)id.Length), .. id];
    }

    /// <summary>HMAC-SHA-256 of the normalized value under the current index key, bound to the column's purpose.</summary>
    public byte[] BlindIndex(string value, string purpose, BlindIndexNormalization normalization)
    {
        var key = Derive(IndexKeyName, keys.Get(IndexKeyName).Current);
        var normalized = Normalize(value, normalization);
        var purposeBytes = Encoding.UTF8.GetBytes(purpose);
        var valueBytes = Encoding.UTF8.GetBytes(normalized);
        var message = new byte[4 + purposeBytes.Length + valueBytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, purposeBytes.Length);
        purposeBytes.CopyTo(message, 4);
        valueBytes.CopyTo(message, 4 + purposeBytes.Length);
        return HMACSHA256.HashData(key, message);
    }

    public static string Normalize(string value, BlindIndexNormalization normalization) => normalization switch
    {
        BlindIndexNormalization.Exact => value,
        BlindIndexNormalization.TrimIgnoreCase => value.Trim().ToUpperInvariant(),
        BlindIndexNormalization.AlphanumericIgnoreCase => new string([.. value.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]),
        _ => throw new ArgumentOutOfRangeException(nameof(normalization)),
    };

    private static byte[] AssociatedData(string keyId, string purpose) =>
        Encoding.UTF8.GetBytes($"haven-field-v{EnvelopeVersion}\0{keyId}\0{purpose}");

    private byte[] Derive(string ring, KeyVersion version) =>
        _derived.GetOrAdd((ring, version.Id), _ => Aead.DeriveKey(version, "haven:" + ring));
}
