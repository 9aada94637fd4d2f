using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Security;

namespace Haven.Platform.Files;

/// <summary>
/// The encrypted object format: a 32-byte header, then the plaintext in chunks, each sealed with AES-256-GCM under the
/// file's own random data key.
/// <code>
/// header  = "HVNFILE1" (8) | file id (16, big-endian UUID) | chunk size (4, big-endian) | 0 (4)
/// chunk i = ciphertext (chunk size bytes; the last chunk shorter, possibly empty) | tag (16)
/// nonce i = i (8, big-endian) | 0 0 0 | final (1: 0x01 on the last chunk, else 0x00)
/// aad     = header
/// </code>
/// The nonce binds each chunk's position and whether it ends the file, and the header (file id, chunk size) is
/// authenticated with every chunk, so altering, reordering, truncating, extending or splicing chunks from another
/// file all fail to decrypt. The data key is wrapped (<see cref="Aead"/>, associated data = file id) by the current version of
/// key ring <c>files</c>; its id is stored beside the wrapped key so the key-encryption key can rotate without
/// touching the content.
/// </summary>
public static class FileCipher
{
    public const int HeaderSize = 32;
    public const int TagSize = 16;
    public const int NonceSize = 12;
    public const int DataKeySize = 32;
    public const string KekName = "files";
    private static readonly byte[] Magic = "HVNFILE1"u8.ToArray();

    public static byte[] Header(Guid fileId, int chunkSize)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        fileId.TryWriteBytes(header.AsSpan(8, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(24), chunkSize);
        return header;
    }

    /// <summary>Reads a header, checking the format marker; returns the file id and chunk size it names.</summary>
    public static (Guid FileId, int ChunkSize) ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            throw new FileIntegrityException("The object does not start with a Haven encrypted-file header.");
        }

        var chunkSize = BinaryPrimitives.ReadInt32BigEndian(header[24..]);
        if (chunkSize <= 0)
        {
            throw new FileIntegrityException("The object header names an impossible chunk size.");
        }

        return (new Guid(header.Slice(8, 16), bigEndian: true), chunkSize);
    }

    public static int ChunkCount(long length, int chunkSize) => length == 0 ? 1 : checked((int)((length + chunkSize - 1) / chunkSize));

    /// <summary>Bytes in storage for a plaintext of <paramref name="length"/>.</summary>
    public static long CiphertextLength(long length, int chunkSize) => HeaderSize + length + (long)ChunkCount(length, chunkSize) * TagSize;

    /// <summary>Where chunk <paramref name="index"/> starts in the object.</summary>
    public static long ChunkOffset(long index, int chunkSize) => HeaderSize + (index * (chunkSize + TagSize));

    public static void Nonce(Span<byte> nonce, long index, bool final)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce, index);
        nonce[11] = final ? (byte)1 : (byte)0;
    }

    /// <summary>Seals one chunk into <paramref name="output"/> (plaintext length + 16 bytes).</summary>
    public static void EncryptChunk(AesGcm aes, ReadOnlySpan<byte> header, long index, bool final, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        Nonce(nonce, index, final);
        aes.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize), header);
    }

    /// <summary>Opens one sealed chunk (ciphertext + tag) into <paramref name="plaintext"/>; throws <see cref="FileIntegrityException"/> if it was tampered with.</summary>
    public static void DecryptChunk(AesGcm aes, ReadOnlySpan<byte> header, long index, bool final, ReadOnlySpan<byte> sealedChunk, Span<byte> plaintext)
    {
        if (sealedChunk.Length < TagSize)
        {
            throw new FileIntegrityException($"Chunk {index} is truncated.");
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        Nonce(nonce, index, final);
        var length = sealedChunk.Length - TagSize;
        try
        {
            aes.Decrypt(nonce, sealedChunk[..length], sealedChunk[length..], plaintext[..length], header);
        }
        catch (CryptographicException e)
        {
            throw new FileIntegrityException(
                $"Chunk {index} does not authenticate{(final ? " as the last chunk" : "")}: the stored file was altered, reordered or truncated.", e);
        }
    }

    public static byte[] WrapKey(ReadOnlySpan<byte> dataKey, KeyVersion kek, Guid fileId) =>
        Aead.Seal(DeriveKek(kek), dataKey, WrapAad(fileId));

    public static byte[] UnwrapKey(ReadOnlySpan<byte> wrapped, KeyVersion kek, Guid fileId)
    {
        if (wrapped.Length != DataKeySize + Aead.Overhead)
        {
            throw new FileIntegrityException("A wrapped file key has the wrong length.");
        }

        try
        {
            return Aead.Open(DeriveKek(kek), wrapped, WrapAad(fileId));
        }
        catch (CryptographicException e)
        {
            throw new FileIntegrityException("The file's data key does not unwrap under its key-encryption key.", e);
        }
    }

    /// <summary>
    /// Encrypts a plaintext stream into the object format chunk by chunk (the upload path): each chunk is hashed into the
    /// running SHA-256, shown to <paramref name="observePlaintext"/> (the scanner), sealed, and handed to
    /// <paramref name="writeCiphertext"/>. Memory stays at a few chunks whatever the length.
    /// </summary>
    /// <returns>The plaintext length and SHA-256, or null as soon as the plaintext exceeds <paramref name="maxLength"/>.</returns>
    public static async Task<(long Length, byte[] Sha256)?> EncryptAsync(
        Stream plaintext, Guid fileId, ReadOnlyMemory<byte> dataKey, int chunkSize, long maxLength,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> writeCiphertext,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? observePlaintext,
        CancellationToken cancellationToken)
    {
        var header = Header(fileId, chunkSize);
        await writeCiphertext(header, cancellationToken);
        using var aes = new AesGcm(dataKey.Span, TagSize);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var current = new byte[chunkSize];
        var next = new byte[chunkSize];
        var sealedChunk = new byte[chunkSize + TagSize];
        var currentLength = await ReadFullAsync(plaintext, current, cancellationToken);
        long index = 0;
        long total = 0;
        while (true)
        {
            // Whether a full chunk is the last one is known only by reading on: the last chunk is sealed as final.
            var nextLength = currentLength == chunkSize ? await ReadFullAsync(plaintext, next, cancellationToken) : 0;
            var final = nextLength == 0;
            total += currentLength;
            if (total > maxLength)
            {
                return null;
            }

            sha.AppendData(current, 0, currentLength);
            if (observePlaintext is not null)
            {
                await observePlaintext(current.AsMemory(0, currentLength), cancellationToken);
            }

            EncryptChunk(aes, header, index, final, current.AsSpan(0, currentLength), sealedChunk);
            await writeCiphertext(sealedChunk.AsMemory(0, currentLength + TagSize), cancellationToken);
            if (final)
            {
                CryptographicOperations.ZeroMemory(current);
                CryptographicOperations.ZeroMemory(next);
                return (total, sha.GetHashAndReset());
            }

            (current, next) = (next, current);
            currentLength = nextLength;
            index++;
        }
    }

    /// <summary>
    /// Decrypts a whole object from a stream, knowing nothing but the data key: the last chunk is the one followed by
    /// end of stream, and it must authenticate as final. Used to check objects offline and by the format tests.
    /// </summary>
    public static async Task<long> DecryptAsync(Stream ciphertext, Stream plaintext, byte[] dataKey, Guid expectedFileId, CancellationToken cancellationToken = default)
    {
        var header = new byte[HeaderSize];
        if (await ReadFullAsync(ciphertext, header, cancellationToken) != HeaderSize)
        {
            throw new FileIntegrityException("The object is shorter than its header.");
        }

        var (fileId, chunkSize) = ReadHeader(header);
        if (fileId != expectedFileId)
        {
            throw new FileIntegrityException("The object belongs to another file.");
        }

        using var aes = new AesGcm(dataKey, TagSize);
        var current = new byte[chunkSize + TagSize];
        var next = new byte[chunkSize + TagSize];
        var plain = new byte[chunkSize];
        var currentLength = await ReadFullAsync(ciphertext, current, cancellationToken);
        long index = 0;
        long total = 0;
        while (true)
        {
            // A full sealed chunk may or may not be the last: look ahead.
            var nextLength = currentLength == current.Length ? await ReadFullAsync(ciphertext, next, cancellationToken) : 0;
            var final = nextLength == 0;
            DecryptChunk(aes, header, index, final, current.AsSpan(0, currentLength), plain);
            await plaintext.WriteAsync(plain.AsMemory(0, currentLength - TagSize), cancellationToken);
            total += currentLength - TagSize;
            if (final)
            {
                return total;
            }

            (current, next) = (next, current);
            currentLength = nextLength;
            index++;
        }
    }

    internal static async Task<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static byte[] WrapAad(Guid fileId)
    {
        var aad = new byte[16 + 17];
        "haven-file-key-v1"u8.CopyTo(aad);
        fileId.TryWriteBytes(aad.AsSpan(17), bigEndian: true, out _);
        return aad;
    }

    private static byte[] DeriveKek(KeyVersion kek) => Aead.DeriveKey(kek, "haven:files-kek");
}

/// <summary>Stored file content does not authenticate (altered, truncated, reordered) or does not match its recorded hash.</summary>
public sealed class FileIntegrityException : IOException
{
    public FileIntegrityException(string message)
        : base(message)
    {
    }

    public FileIntegrityException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
