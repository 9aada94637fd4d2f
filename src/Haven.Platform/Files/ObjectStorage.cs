using System.Net;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Files;

/// <summary>
/// Where encrypted objects live. An object appears only when its upload completes (atomically: a rename on disk, the
/// final PUT or CompleteMultipartUpload on S3); until then nothing a reader can see exists under its key.
/// </summary>
public interface IObjectStorage
{
    /// <summary><c>local</c> or <c>s3</c>.</summary>
    string Name { get; }

    /// <param name="multipartStarted">Called with the backend's id of an unfinished upload (S3 multipart), so a sweeper can abort it if this process dies.</param>
    Task<IObjectUpload> BeginUploadAsync(string key, Func<string, CancellationToken, Task> multipartStarted, CancellationToken cancellationToken);

    /// <summary>The object's bytes from <paramref name="offset"/> to its end, streamed.</summary>
    Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the object and anything an unfinished upload of it left (idempotent).</summary>
    Task DeleteAsync(string key, string? unfinishedUploadId, CancellationToken cancellationToken);

    /// <summary>Throws if the storage cannot be written to right now (the readiness check).</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}

/// <summary>An upload in progress: write the bytes, then complete it (the object appears) or abort it (nothing remains).</summary>
public interface IObjectUpload : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    Task CompleteAsync(CancellationToken cancellationToken);

    Task AbortAsync(CancellationToken cancellationToken);
}

internal static partial class ObjectKeys
{
    public static string For(Guid fileId) => $"files/{fileId:N}";

    public static void Validate(string key)
    {
        if (!KeyPattern().IsMatch(key))
        {
            throw new ArgumentException($"'{key}' is not an object key Haven makes.", nameof(key));
        }
    }

    [GeneratedRegex("^[a-z0-9]+(/[a-z0-9]+)*$")]
    private static partial Regex KeyPattern();
}

/// <summary>
/// A folder on this machine. Uploads are written to <c>.tmp/</c>, flushed to disk and renamed into place on completion,
/// so a crash leaves at most a temporary file (removed by the sweeper), never a partial object. Files are 0600.
/// </summary>
internal sealed class LocalObjectStorage(IOptions<HavenFileOptions> options) : IObjectStorage
{
    private readonly string _root = Path.GetFullPath(options.Value.LocalPath);

    public string Name => "local";

    public string Root => _root;

    public Task<IObjectUpload> BeginUploadAsync(string key, Func<string, CancellationToken, Task> multipartStarted, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        Directory.CreateDirectory(Path.Combine(_root, ".tmp"));
        var temporary = TemporaryPath(key);
        var create = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(temporary, create);
        return Task.FromResult<IObjectUpload>(new Upload(stream, temporary, FinalPath(key)));
    }

    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        var stream = new FileStream(FinalPath(key), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        });
        stream.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(stream);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        return Task.FromResult(File.Exists(FinalPath(key)));
    }

    public Task DeleteAsync(string key, string? unfinishedUploadId, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        File.Delete(TemporaryPath(key));
        File.Delete(FinalPath(key));
        return Task.CompletedTask;
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(_root, ".tmp"));
        var probe = Path.Combine(_root, ".tmp", "ready-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(probe, [1], cancellationToken);
        File.Delete(probe);
    }

    // The temporary name derives from the key, so the sweeper finds an orphan's leftovers from its upload record alone.
    private string TemporaryPath(string key) => Path.Combine(_root, ".tmp", key.Replace('/', '_') + ".part");

    private string FinalPath(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));

    private sealed class Upload(FileStream stream, string temporary, string final) : IObjectUpload
    {
        private bool _done;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => stream.WriteAsync(data, cancellationToken);

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync();
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(temporary, final, overwrite: false);
            _done = true;
        }

        public async Task AbortAsync(CancellationToken cancellationToken)
        {
            await stream.DisposeAsync();
            File.Delete(temporary);
            _done = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_done)
            {
                await AbortAsync(CancellationToken.None);
            }
        }
    }
}

/// <summary>
/// An S3-compatible bucket (path-style, custom endpoint). Content is buffered one part at a time: an object smaller than
/// a part goes up in one PUT, a larger one as a multipart upload that becomes visible only on CompleteMultipartUpload.
/// Checksums are computed only when S3 requires them and chunk encoding is off, which S3-compatible servers need.
/// </summary>
internal sealed partial class S3ObjectStorage : IObjectStorage, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly int _partSize;
    private readonly ILogger<S3ObjectStorage> _logger;

    public S3ObjectStorage(IOptions<HavenFileOptions> options, ILogger<S3ObjectStorage> logger)
    {
        var s3 = options.Value.S3;
        if (string.IsNullOrWhiteSpace(s3.ServiceUrl) || string.IsNullOrWhiteSpace(s3.Bucket)
            || string.IsNullOrWhiteSpace(s3.AccessKey) || string.IsNullOrWhiteSpace(s3.SecretKey))
        {
            throw new InvalidOperationException("Haven:Files:Backend is S3 but Haven:Files:S3 lacks ServiceUrl, Bucket, AccessKey or SecretKey.");
        }

        _client = new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), new AmazonS3Config
        {
            ServiceURL = s3.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = s3.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 3,
        });
        _bucket = s3.Bucket;
        _partSize = s3.PartSize;
        _logger = logger;
    }

    public string Name => "s3";

    public Task<IObjectUpload> BeginUploadAsync(string key, Func<string, CancellationToken, Task> multipartStarted, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        return Task.FromResult<IObjectUpload>(new Upload(this, key, multipartStarted));
    }

    public async Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        var request = new GetObjectRequest { BucketName = _bucket, Key = key };
        if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        var response = await _client.GetObjectAsync(request, cancellationToken);
        return new ResponseStream(response);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string key, string? unfinishedUploadId, CancellationToken cancellationToken)
    {
        if (unfinishedUploadId is not null)
        {
            await AbortQuietlyAsync(key, unfinishedUploadId, cancellationToken);
        }

        await _client.DeleteObjectAsync(_bucket, key, cancellationToken);
    }

    public Task CheckAsync(CancellationToken cancellationToken) =>
        _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, cancellationToken);

    public void Dispose() => _client.Dispose();

    private async Task AbortQuietlyAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(_bucket, key, uploadId, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            // Gone already, or a server without abort (a bucket lifecycle rule for incomplete uploads covers it).
            LogAbortUnavailable(_logger, (int)e.StatusCode);
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Could not abort an unfinished multipart upload (HTTP {Status}); rely on the bucket's lifecycle rule for incomplete uploads")]
    private static partial void LogAbortUnavailable(ILogger logger, int status);

    private sealed class Upload(S3ObjectStorage storage, string key, Func<string, CancellationToken, Task> multipartStarted) : IObjectUpload
    {
        private readonly byte[] _buffer = new byte[storage._partSize];
        private readonly List<PartETag> _parts = [];
        private int _filled;
        private string? _uploadId;
        private bool _done;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            while (!data.IsEmpty)
            {
                var take = Math.Min(data.Length, _buffer.Length - _filled);
                data[..take].CopyTo(_buffer.AsMemory(_filled));
                _filled += take;
                data = data[take..];
                if (_filled == _buffer.Length)
                {
                    await UploadPartAsync(cancellationToken);
                }
            }
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (_uploadId is null)
            {
                using var body = new MemoryStream(_buffer, 0, _filled, writable: false);
                await storage._client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = storage._bucket,
                    Key = key,
                    InputStream = body,
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                    ContentType = "application/octet-stream",
                }, cancellationToken);
            }
            else
            {
                if (_filled > 0)
                {
                    await UploadPartAsync(cancellationToken);
                }

                await storage._client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = storage._bucket,
                    Key = key,
                    UploadId = _uploadId,
                    PartETags = _parts,
                }, cancellationToken);
            }

            _done = true;
        }

        public async Task AbortAsync(CancellationToken cancellationToken)
        {
            _done = true;
            if (_uploadId is not null)
            {
                await storage.AbortQuietlyAsync(key, _uploadId, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_done)
            {
                await AbortAsync(CancellationToken.None);
            }
        }

        private async Task UploadPartAsync(CancellationToken cancellationToken)
        {
            if (_uploadId is null)
            {
                var started = await storage._client.InitiateMultipartUploadAsync(
                    new InitiateMultipartUploadRequest { BucketName = storage._bucket, Key = key, ContentType = "application/octet-stream" }, cancellationToken);
                _uploadId = started.UploadId;
                await multipartStarted(_uploadId, cancellationToken);
            }

            var number = _parts.Count + 1;
            using var body = new MemoryStream(_buffer, 0, _filled, writable: false);
            var response = await storage._client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = storage._bucket,
                Key = key,
                UploadId = _uploadId,
                PartNumber = number,
                InputStream = body,
                PartSize = _filled,
                UseChunkEncoding = false,
            }, cancellationToken);
            _parts.Add(new PartETag(number, response.ETag));
            _filled = 0;
        }
    }

    /// <summary>The object's body; disposing it releases the HTTP response.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
