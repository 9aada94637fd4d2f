using System.Security.Cryptography;

namespace Haven.Platform.Files;

/// <summary>
/// A stored file's plaintext as a seekable stream. Reads decrypt one chunk at a time from a ranged read of the object,
/// so a seek (an HTTP Range request) costs one chunk, and memory stays at one chunk whatever the file's size. Every
/// chunk authenticates before a byte of it is returned; the last must authenticate as final and nothing may follow
/// it. Read from start to end, the whole file's SHA-256 is compared with the recorded one.
/// </summary>
internal sealed class DecryptingStream : Stream
{
    private readonly IObjectStorage _storage;
    private readonly string _key;
    private readonly int _chunkSize;
    private readonly long _length;
    private readonly long _lastChunk;
    private readonly byte[] _expectedSha256;
    private readonly byte[] _header;
    private readonly AesGcm _aes;
    private readonly byte[] _sealed;
    private readonly byte[] _plain;
    private Stream? _source;
    private long _sourceChunk = -1;
    private long _plainChunk = -1;
    private int _plainLength;
    private long _position;
    private IncrementalHash? _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _hashedUpTo;

    public DecryptingStream(IObjectStorage storage, string key, Guid fileId, int chunkSize, long length, byte[] expectedSha256, byte[] dataKey)
    {
        _storage = storage;
        _key = key;
        _chunkSize = chunkSize;
        _length = length;
        _lastChunk = FileCipher.ChunkCount(length, chunkSize) - 1;
        _expectedSha256 = expectedSha256;
        _header = FileCipher.Header(fileId, chunkSize);
        _aes = new AesGcm(dataKey, FileCipher.TagSize);
        CryptographicOperations.ZeroMemory(dataKey);
        _sealed = new byte[chunkSize + FileCipher.TagSize];
        _plain = new byte[chunkSize];
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_position >= _length)
        {
            if (_length == 0 && _plainChunk < 0)
            {
                // An empty file is one empty final chunk: authenticate it too.
                await LoadChunkAsync(0, cancellationToken);
            }

            VerifyWholeFile();
            return 0;
        }

        var chunk = _position / _chunkSize;
        if (chunk != _plainChunk)
        {
            await LoadChunkAsync(chunk, cancellationToken);
        }

        var offset = (int)(_position - (chunk * _chunkSize));
        var count = Math.Min(buffer.Length, _plainLength - offset);
        _plain.AsMemory(offset, count).CopyTo(buffer);
        _position += count;
        if (_position == _length)
        {
            VerifyWholeFile();
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        Release();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source?.Dispose();
            Release();
        }

        base.Dispose(disposing);
    }

    private void Release()
    {
        _source = null;
        _aes.Dispose();
        _hash?.Dispose();
        _hash = null;
        CryptographicOperations.ZeroMemory(_plain);
    }

    private async Task LoadChunkAsync(long chunk, CancellationToken cancellationToken)
    {
        if (_source is null || _sourceChunk != chunk)
        {
            if (_source is not null)
            {
                await _source.DisposeAsync();
            }

            _source = await _storage.OpenReadAsync(_key, FileCipher.ChunkOffset(chunk, _chunkSize), cancellationToken);
            _sourceChunk = chunk;
        }

        var final = chunk == _lastChunk;
        var plainLength = final ? (int)(_length - (chunk * _chunkSize)) : _chunkSize;
        var sealedLength = plainLength + FileCipher.TagSize;
        var read = await FileCipher.ReadFullAsync(_source, _sealed.AsMemory(0, sealedLength), cancellationToken);
        if (read != sealedLength)
        {
            throw new FileIntegrityException($"The stored file ends inside chunk {chunk}: it was truncated.");
        }

        FileCipher.DecryptChunk(_aes, _header, chunk, final, _sealed.AsSpan(0, sealedLength), _plain);
        if (final && await _source.ReadAsync(_sealed.AsMemory(0, 1), cancellationToken) != 0)
        {
            throw new FileIntegrityException("The stored file has data after its last chunk: it was extended.");
        }

        _plainChunk = chunk;
        _plainLength = plainLength;
        _sourceChunk = chunk + 1;

        // The whole-file hash follows only reads that go through the file in order from its start.
        if (_hash is not null)
        {
            if (chunk * _chunkSize == _hashedUpTo)
            {
                _hash.AppendData(_plain, 0, plainLength);
                _hashedUpTo += plainLength;
            }
            else
            {
                _hash.Dispose();
                _hash = null;
            }
        }
    }

    private void VerifyWholeFile()
    {
        if (_hash is null || _hashedUpTo != _length)
        {
            return;
        }

        var actual = _hash.GetHashAndReset();
        _hash.Dispose();
        _hash = null;
        if (!CryptographicOperations.FixedTimeEquals(actual, _expectedSha256))
        {
            throw new FileIntegrityException("The file's content does not match its recorded SHA-256.");
        }
    }
}
