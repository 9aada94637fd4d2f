using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Security;

namespace Haven.Kintaraa.Cases;

/// <summary>
/// Receipt codes let an anonymous reporter return to their case from any device, as GlobaLeaks receipts do: sixteen
/// random digits (about 53 bits), shown once. Only a keyed hash is stored, so a copy of the database does not open
/// cases; the key rotates (every configured version is tried on lookup).
/// </summary>
public sealed class ReceiptCodes(KeyStore keys)
{
    public const string KeyName = "kintaraa-receipts";

    public static string Generate()
    {
        var digits = RandomNumberGenerator.GetString("0123456789", 16);
        return $"{digits[..4]}-{digits[4..8]}-{digits[8..12]}-{digits[12..]}";
    }

    /// <summary>The digits of a code as typed (spaces and dashes ignored), or null when it cannot be one.</summary>
    public static string? Normalize(string? code)
    {
        if (code is null)
        {
            return null;
        }

        var digits = new string([.. code.Where(char.IsAsciiDigit)]);
        return digits.Length == 16 && code.All(c => char.IsAsciiDigit(c) || c is ' ' or '-') ? digits : null;
    }

    /// <summary>The hash stored for a new code (under the current key).</summary>
    public byte[] Hash(string code) => Hash(keys.Get(KeyName).Current.Material, Normalize(code) ?? throw new ArgumentException("Not a receipt code.", nameof(code)));

    /// <summary>Every hash the code may be stored under (one per key version), for lookup.</summary>
    public IReadOnlyList<byte[]> Candidates(string normalizedDigits) =>
        [.. keys.Get(KeyName).Versions.Values.Select(v => Hash(v.Material, normalizedDigits))];

    private static byte[] Hash(byte[] key, string digits) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("kintaraa-receipt:" + digits));
}
