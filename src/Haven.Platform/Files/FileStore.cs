using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Security;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Files;

/// <summary>What is being stored: for which use, under which name, for which tenant.</summary>
/// <param name="Use">A declared <see cref="FileUse"/> name, e.g. <c>kintaraa.evidence</c>.</param>
/// <param name="FileName">The name the client gave (sanitized before it is kept).</param>
public sealed record FileSaveRequest(string Use, string? FileName)
{
    /// <summary>A client- or module-chosen id (a retried upload with the same id answers 409 <c>file_exists</c>); new otherwise.</summary>
    public Guid? Id { get; init; }

    public Guid? TenantId { get; init; }

    /// <summary>Defaults to the signed-in user.</summary>
    public Guid? UploadedBy { get; init; }
}

/// <summary>A stored file, or the reason nothing was stored.</summary>
public sealed class FileSaveResult
{
    private FileSaveResult(StoredFile? file, Error? error)
    {
        File = file;
        Error = error;
    }

    public StoredFile? File { get; }

    public Error? Error { get; }

    [MemberNotNullWhen(true, nameof(File))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => File is not null;

    public static FileSaveResult Stored(StoredFile file) => new(file, null);

    public static FileSaveResult Failed(Error error) => new(null, error);
}

/// <summary>
/// Encrypted file storage. Content streams through (a 2 GB video is never held in memory): its type is checked by its
/// first bytes against the use's allowlist, its size against the use's limit, its SHA-256 computed, each 64 KiB chunk
/// sealed with AES-256-GCM under a fresh per-file data key, and the object written to the configured backend. The
/// metadata row is committed only after the content is complete; an upload cut off leaves nothing behind, and one
/// whose process died is swept. Modules decide who may read a file; they serve it with <see cref="FileResults.Download"/>.
/// </summary>
public interface IFileStore
{
    Task<FileSaveResult> SaveAsync(FileSaveRequest request, Stream content, CancellationToken cancellationToken = default);

    Task<StoredFile?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The plaintext, seekable, decrypted chunk by chunk as it is read; null if the file does not exist or is quarantined.
    /// Reading from the start to the end also checks the whole file's SHA-256 (a mismatch throws <see cref="FileIntegrityException"/>).
    /// </summary>
    Task<Stream?> OpenReadAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Holds a file back from every download (e.g. a later scan found it infected); audited. False if it does not exist.</summary>
    Task<bool> QuarantineAsync(Guid id, string reason, CancellationToken cancellationToken = default);

    /// <summary>Removes a file's content and metadata (the module audits why). False if it does not exist.</summary>
    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default);
}

internal sealed class FileUses(IEnumerable<FileUse> uses)
{
    private readonly Dictionary<string, FileUse> _uses = uses.GroupBy(u => u.Name).ToDictionary(g => g.Key, g => g.Last());

    public FileUse Get(string name) => _uses.TryGetValue(name, out var use)
        ? use
        : throw new InvalidOperationException($"File use '{name}' was not declared; call services.AddHavenFileUse(new FileUse(\"{name}\", ...)).");
}

internal sealed partial class FileStore(
    FileUses uses,
    IObjectStorage storage,
    IFileScanner scanner,
    KeyStore keys,
    NpgsqlDataSource dataSource,
    PlatformDbContext db,
    IAuditTrail audit,
    ICurrentUser user,
    TimeProvider clock,
    IOptions<HavenFileOptions> options,
    ILogger<FileStore> logger) : IFileStore
{
    public const string StatusAvailable = "available";
    public const string StatusQuarantined = "quarantined";

    public async Task<FileSaveResult> SaveAsync(FileSaveRequest request, Stream content, CancellationToken cancellationToken = default)
    {
        var use = uses.Get(request.Use);
        var id = request.Id ?? Guid.CreateVersion7(clock.GetUtcNow());
        var key = ObjectKeys.For(id);
        var name = FileNames.Sanitize(request.FileName);

        // The type is known from the first bytes, before anything is stored: a refused file leaves no trace.
        var head = new byte[(int)Math.Min(FileTypes.SniffLength, use.MaxBytes + 1)];
        var headLength = await FileCipher.ReadFullAsync(content, head, cancellationToken);
        if (headLength == 0)
        {
            return FileSaveResult.Failed(Errors.Validation("file", "The file is empty."));
        }

        if (headLength > use.MaxBytes)
        {
            return FileSaveResult.Failed(TooLarge(use));
        }

        var type = FileTypes.Detect(head.AsSpan(0, headLength), isComplete: headLength < head.Length);
        if (type is null || !use.AllowedTypes.Contains(type))
        {
            return FileSaveResult.Failed(new Error("file_type_not_allowed", StatusCodes.Status415UnsupportedMediaType,
                "This kind of file is not accepted here.",
                $"Accepted: {string.Join(", ", use.AllowedTypes.Select(t => t.Name).Order())}. The type is read from the content, not the name.")
            {
                Extensions = new Dictionary<string, object?> { ["detected_type"] = type?.Name },
            });
        }

        if (!await BeginUploadRecordAsync(id, key, cancellationToken))
        {
            return FileSaveResult.Failed(Errors.Conflict("file_exists", "A file with this id exists or is being uploaded."));
        }

        var chunkSize = options.Value.ChunkSize;
        var kek = keys.Get(FileCipher.KekName).Current;
        var dataKey = RandomNumberGenerator.GetBytes(FileCipher.DataKeySize);
        var scan = scanner is NoFileScanner ? null : new ScanFeed(scanner, new FileScanContext(id, use.Name, name, type), cancellationToken);
        IObjectUpload? upload = null;
        var objectComplete = false;
        var committed = false;
        try
        {
            upload = await storage.BeginUploadAsync(key, (uploadId, ct) => RecordMultipartAsync(id, uploadId, ct), cancellationToken);
            var written = await FileCipher.EncryptAsync(
                new PrefixedStream(head.AsMemory(0, headLength), content), id, dataKey, chunkSize, use.MaxBytes, upload.WriteAsync,
                scan is null ? null : scan.FeedAsync, cancellationToken);
            if (written is null)
            {
                return FileSaveResult.Failed(TooLarge(use));
            }

            await upload.CompleteAsync(cancellationToken);
            objectComplete = true;

            FileScanResult verdict;
            try
            {
                verdict = scan is null ? FileScanResult.Clean : await scan.VerdictAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e, id);
                return FileSaveResult.Failed(new Error("scan_unavailable", StatusCodes.Status503ServiceUnavailable,
                    "The file could not be checked for malware right now; nothing was stored. Try again later."));
            }

            var record = new FileRecord
            {
                Id = id,
                Use = use.Name,
                TenantId = request.TenantId,
                UploadedBy = request.UploadedBy ?? user.UserId,
                FileName = name,
                ContentType = type.MediaType,
                Length = written.Value.Length,
                Sha256 = written.Value.Sha256,
                StorageKey = key,
                ChunkSize = chunkSize,
                KeyId = kek.Id,
                WrappedKey = FileCipher.WrapKey(dataKey, kek, id),
                Status = verdict.IsClean ? StatusAvailable : StatusQuarantined,
                StatusReason = verdict.IsClean ? null : Truncate(verdict.Reason ?? "flagged by the scanner", 500),
                CreatedAt = clock.GetUtcNow(),
            };
            if (!await CommitAsync(record, cancellationToken))
            {
                return FileSaveResult.Failed(Errors.Conflict("upload_expired", "The upload took too long and was discarded; upload the file again."));
            }

            committed = true;
            if (!verdict.IsClean)
            {
                LogQuarantined(logger, id, use.Name);
            }

            return FileSaveResult.Stored(ToStoredFile(record));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            if (scan is not null)
            {
                await scan.DisposeAsync();
            }

            if (!committed)
            {
                // Cut off, refused or failed: remove whatever reached storage and the upload record, even if the request is gone.
                await CleanUpAsync(id, key, upload, objectComplete);
            }
            else if (upload is not null)
            {
                await upload.DisposeAsync();
            }
        }
    }

    public async Task<StoredFile?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var record = await db.Set<FileRecord>().AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        return record is null ? null : ToStoredFile(record);
    }

    public async Task<Stream?> OpenReadAsync(Guid id, CancellationToken cancellationToken = default) =>
        await OpenAsync(id, cancellationToken) is ({ Status: FileStatus.Available }, var stream) ? stream : null;

    /// <summary>The file's metadata and, if it may be served, its decrypting stream.</summary>
    internal async Task<(StoredFile? File, Stream? Content)> OpenAsync(Guid id, CancellationToken cancellationToken)
    {
        var record = await db.Set<FileRecord>().AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (record is null)
        {
            return (null, null);
        }

        var file = ToStoredFile(record);
        if (file.Status != FileStatus.Available)
        {
            return (file, null);
        }

        var dataKey = FileCipher.UnwrapKey(record.WrappedKey, keys.Get(FileCipher.KekName).Get(record.KeyId), record.Id);
        return (file, new DecryptingStream(storage, record.StorageKey, record.Id, record.ChunkSize, record.Length, record.Sha256, dataKey));
    }

    public async Task<bool> QuarantineAsync(Guid id, string reason, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.Set<FileRecord>().Where(f => f.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Status, StatusQuarantined).SetProperty(f => f.StatusReason, Truncate(reason, 500)), cancellationToken);
        if (updated == 0)
        {
            return false;
        }

        await audit.AppendAsync(db, new AuditEvent("platform.file.quarantined", "file", id) { Note = Truncate(reason, 500) }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        string? key;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var delete = new NpgsqlCommand("DELETE FROM platform.files WHERE id = $1 RETURNING storage_key", connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            key = await delete.ExecuteScalarAsync(cancellationToken) as string;
            if (key is null)
            {
                return false;
            }

            // A tombstone in the same transaction: if the process dies before the object is gone, the sweeper removes it.
            await using var tombstone = new NpgsqlCommand(
                "INSERT INTO platform.file_uploads (id, storage_key, backend_upload_id, started_at) VALUES ($1, $2, NULL, to_timestamp(0))", connection, transaction);
            tombstone.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            tombstone.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
            await tombstone.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await storage.DeleteAsync(key, null, cancellationToken);
        await DeleteUploadRecordAsync(id, cancellationToken);
        return true;
    }

    private async Task<bool> BeginUploadRecordAsync(Guid id, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO platform.file_uploads (id, storage_key, backend_upload_id, started_at)
            SELECT $1, $2, NULL, $3 WHERE NOT EXISTS (SELECT 1 FROM platform.files WHERE id = $1)
            ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task RecordMultipartAsync(Guid id, string uploadId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE platform.file_uploads SET backend_upload_id = $2 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = uploadId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The upload record goes and the metadata arrives in one transaction; false if the sweeper took the upload first.</summary>
    private async Task<bool> CommitAsync(FileRecord r, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand("DELETE FROM platform.file_uploads WHERE id = $1", connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = r.Id });
            if (await claim.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO platform.files (id, use, tenant_id, uploaded_by, file_name, content_type, length, sha256, storage_key, chunk_size,
                key_id, wrapped_key, status, status_reason, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = r.Id });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Use });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)r.TenantId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)r.UploadedBy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.FileName });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.ContentType });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = r.Length });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = r.Sha256 });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.StorageKey });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.ChunkSize });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.KeyId });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = r.WrappedKey });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Status });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)r.StatusReason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = r.CreatedAt });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task CleanUpAsync(Guid id, string key, IObjectUpload? upload, bool objectComplete)
    {
        try
        {
            if (upload is not null)
            {
                if (!objectComplete)
                {
                    await upload.AbortAsync(CancellationToken.None);
                }

                await upload.DisposeAsync();
            }

            if (objectComplete)
            {
                await storage.DeleteAsync(key, null, CancellationToken.None);
            }

            await DeleteUploadRecordAsync(id, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The upload record stays; the sweeper finishes the job later.
            LogCleanUpFailed(logger, e, id);
        }
    }

    private async Task DeleteUploadRecordAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM platform.file_uploads WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Error TooLarge(FileUse use) => Errors.TooLarge($"Files here may be at most {use.MaxBytes / (1024 * 1024)} MiB.");

    private static StoredFile ToStoredFile(FileRecord r) => new(
        r.Id, r.Use, r.TenantId, r.UploadedBy, r.FileName, r.ContentType, r.Length, Convert.ToHexStringLower(r.Sha256),
        r.Status == StatusQuarantined ? FileStatus.Quarantined : FileStatus.Available, r.StatusReason, r.CreatedAt);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "File {FileId} of use {Use} was quarantined by the scanner")]
    private static partial void LogQuarantined(ILogger logger, Guid fileId, string use);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Scanning file {FileId} failed; the upload was refused")]
    private static partial void LogScanFailed(ILogger logger, Exception exception, Guid fileId);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Cleaning up after upload {FileId} failed; the sweeper will retry")]
    private static partial void LogCleanUpFailed(ILogger logger, Exception exception, Guid fileId);

    /// <summary>Feeds the plaintext to the scanner through a bounded pipe while the upload proceeds.</summary>
    private sealed class ScanFeed : IAsyncDisposable
    {
        private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024));
        private readonly Task<FileScanResult> _scan;
        private bool _stopped;
        private bool _completed;

        public ScanFeed(IFileScanner scanner, FileScanContext context, CancellationToken cancellationToken) =>
            _scan = Task.Run(async () =>
            {
                try
                {
                    await using var stream = _pipe.Reader.AsStream();
                    return await scanner.ScanAsync(context, stream, cancellationToken);
                }
                finally
                {
                    await _pipe.Reader.CompleteAsync();
                }
            }, cancellationToken);

        public async ValueTask FeedAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (_stopped)
            {
                return;
            }

            // A scanner that has seen enough (or failed) stops reading; the upload goes on without it.
            var result = await _pipe.Writer.WriteAsync(data, cancellationToken);
            _stopped = result.IsCompleted;
        }

        public async Task<FileScanResult> VerdictAsync()
        {
            _completed = true;
            await _pipe.Writer.CompleteAsync();
            return await _scan;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_completed)
            {
                await _pipe.Writer.CompleteAsync(new OperationCanceledException("The upload ended before the scan."));
                try
                {
                    await _scan;
                }
                catch (Exception)
                {
                    // The upload failed already; the scanner's own failure adds nothing.
                }
            }
        }
    }

    /// <summary>The sniffed head followed by the rest of the content, read once.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_head.IsEmpty)
            {
                return await rest.ReadAsync(buffer, cancellationToken);
            }

            var take = Math.Min(buffer.Length, _head.Length);
            _head[..take].CopyTo(buffer);
            _head = _head[take..];
            return take;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
