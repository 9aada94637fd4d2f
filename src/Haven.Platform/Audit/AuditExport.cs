using System.Buffers;
using System.Data;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Haven.Platform.Audit;

/// <summary>
/// A range of the chain as a file anyone can check without Haven's database (format: docs/audit-export.md).
/// JSON Lines: a header line, then one line per entry holding exactly the entry's canonical bytes, so
/// <c>sha256(line)</c> is the entry's hash and the next line's <c>prev_hash</c> must equal it.
/// </summary>
public static class AuditExport
{
    public const string Format = "haven-audit-export";
    public const int Version = 1;
    public const string MediaType = "application/x-ndjson";

    /// <summary>The header, known before any entry is written (so the export streams).</summary>
    public sealed record Header(long FromSeq, long ToSeq, string PrevHash, string? LastHash, DateTimeOffset ExportedAt);

    /// <summary>Opens a consistent snapshot of the range; dispose the result to release it.</summary>
    public static async Task<Reader> OpenAsync(NpgsqlDataSource dataSource, long? fromSeq, long? toSeq, TimeProvider clock, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var (headSeq, _) = await AuditStore.ReadHeadAsync(connection, transaction, cancellationToken);
            var from = Math.Max(1, fromSeq ?? 1);
            var to = Math.Min(toSeq ?? headSeq, headSeq);
            var prev = await AuditStore.HashBeforeAsync(connection, transaction, from, cancellationToken) ?? new byte[AuditCanonical.HashLength];
            byte[]? last = null;
            if (to >= from)
            {
                last = await AuditStore.HashBeforeAsync(connection, transaction, to + 1, cancellationToken);
            }

            var header = new Header(from, Math.Max(to, from - 1), Convert.ToHexStringLower(prev), last is null ? null : Convert.ToHexStringLower(last), clock.GetUtcNow());
            return new Reader(connection, transaction, header);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public sealed class Reader(NpgsqlConnection connection, NpgsqlTransaction transaction, Header header) : IAsyncDisposable
    {
        public Header Header { get; } = header;

        public string FileName => $"haven-audit-{Header.FromSeq}-{Header.ToSeq}.jsonl";

        public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
        {
            await output.WriteAsync(HeaderLine(Header), cancellationToken);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            await foreach (var (record, _) in AuditStore.ReadAsync(connection, transaction, Header.FromSeq, Header.ToSeq, cancellationToken))
            {
                AuditCanonical.Write(record, buffer);
                buffer.Write("\n"u8);
                if (buffer.WrittenCount >= 60 * 1024)
                {
                    await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                    buffer.ResetWrittenCount();
                }
            }

            await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Checks an export file on its own: no database, no keys. Names the first entry altered, removed or inserted.</summary>
    public static async Task<AuditVerification> VerifyAsync(Stream input, IEnumerable<AuditAnchor>? anchors = null, CancellationToken cancellationToken = default)
    {
        var lines = new LineReader(input);
        var first = await lines.NextAsync(cancellationToken) ?? throw new FormatException("The file is empty; an export starts with a header line.");
        var header = ParseHeader(first.Span);
        var walker = new AuditChainWalker(header.FromSeq, Convert.FromHexString(header.PrevHash), anchors);
        while (await lines.NextAsync(cancellationToken) is { } line)
        {
            if (line.IsEmpty)
            {
                continue;
            }

            var (seq, prev) = ReadLink(line.Span);
            if (!walker.Step(seq, prev, SHA256.HashData(line.Span)))
            {
                break;
            }
        }

        walker.Finish(header.ToSeq, header.LastHash is null ? [] : Convert.FromHexString(header.LastHash));
        return walker.Result(header.ToSeq);
    }

    private static ReadOnlyMemory<byte> HeaderLine(Header header)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", Version);
            json.WriteNumber("from_seq", header.FromSeq);
            json.WriteNumber("to_seq", header.ToSeq);
            json.WriteString("prev_hash", header.PrevHash);
            if (header.LastHash is null)
            {
                json.WriteNull("last_hash");
            }
            else
            {
                json.WriteString("last_hash", header.LastHash);
            }

            json.WriteString("exported_at", AuditCanonical.FormatTime(header.ExportedAt.UtcDateTime));
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    private static Header ParseHeader(ReadOnlySpan<byte> line)
    {
        using var document = JsonDocument.Parse(line.ToArray());
        var root = document.RootElement;
        if (!root.TryGetProperty("format", out var format) || format.GetString() != Format)
        {
            throw new FormatException($"The first line is not a {Format} header.");
        }

        if (root.GetProperty("version").GetInt32() != Version)
        {
            throw new FormatException($"Only version {Version} of {Format} is understood.");
        }

        var last = root.GetProperty("last_hash");
        return new Header(
            root.GetProperty("from_seq").GetInt64(),
            root.GetProperty("to_seq").GetInt64(),
            root.GetProperty("prev_hash").GetString()!,
            last.ValueKind == JsonValueKind.Null ? null : last.GetString(),
            DateTimeOffset.Parse(root.GetProperty("exported_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static (long Seq, byte[] PrevHash) ReadLink(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        long? seq = null;
        byte[]? prev = null;
        var version = 0L;
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("An entry line is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "seq":
                    seq = reader.GetInt64();
                    break;
                case "prev_hash":
                    prev = Convert.FromHexString(reader.GetString()!);
                    break;
                case "v":
                    version = reader.GetInt64();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (seq is null || prev is null || version != AuditCanonical.Version)
        {
            throw new FormatException("An entry line lacks seq, prev_hash or v = 1.");
        }

        return (seq.Value, prev);
    }

    /// <summary>Splits a stream on '\n' without decoding, so each line's exact bytes can be hashed.</summary>
    private sealed class LineReader(Stream input)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private bool _eof;

        public async Task<ReadOnlyMemory<byte>?> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = _buffer.AsMemory(_start, newline - _start);
                    _start = newline + 1;
                    return line;
                }

                if (_eof)
                {
                    if (_start == _end)
                    {
                        return null;
                    }

                    var rest = _buffer.AsMemory(_start, _end - _start);
                    _start = _end;
                    return rest;
                }

                // Move the partial line to the front (growing the buffer for a very long line) and read more.
                var pending = _end - _start;
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
                }
                else if (pending == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                _start = 0;
                _end = pending;
                var read = await input.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    _eof = true;
                }

                _end += read;
            }
        }
    }
}
