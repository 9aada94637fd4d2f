using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Haven.Platform.Audit;

/// <summary>One audit entry exactly as it is hashed, stored and exported.</summary>
public sealed record AuditRecord(
    long Seq,
    DateTime OccurredAt,
    string ActorType,
    Guid? ActorId,
    string? ActorName,
    Guid? SessionId,
    IReadOnlyList<string> ActorRoles,
    Guid? TenantId,
    string? ClientAddress,
    string? UserAgent,
    string? RequestId,
    string Action,
    string ResourceType,
    string? ResourceId,
    string? Note,
    IReadOnlyList<AuditChange> Changes,
    byte[] PrevHash);

/// <summary>
/// The canonical serialization every entry's hash commits to (specified in docs/audit-export.md): the entry as one
/// JSON object in RFC 8785 (JCS) form — members sorted by name, no whitespace, strings escaped only where JSON
/// requires (<c>"</c>, <c>\</c>, U+0000–U+001F), other characters as raw UTF-8, integers in plain decimal.
/// All values are strings, nulls, integers, booleans or arrays/objects of them, so JCS leaves nothing open.
/// <c>hash = SHA-256(canonical bytes)</c>, and the bytes include <c>prev_hash</c>, so each entry commits to the one before.
/// </summary>
public static class AuditCanonical
{
    public const int Version = 1;
    public const int HashLength = 32;

    /// <summary>The <c>prev_hash</c> of entry 1.</summary>
    public static ReadOnlyMemory<byte> GenesisHash { get; } = new byte[HashLength];

    /// <summary>Timestamps are kept to the microsecond, PostgreSQL's precision, so what is stored hashes the same.</summary>
    public static DateTime Truncate(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static byte[] Serialize(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Hash(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(record, buffer);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical bytes into a reusable buffer (the verifier walks millions of entries).</summary>
    public static void Write(AuditRecord r, ArrayBufferWriter<byte> output)
    {
        var w = new CanonicalWriter(output);
        // Member names in ordinal order, as JCS requires.
        w.Raw("{\"action\":"u8);
        w.String(r.Action);
        w.Raw(",\"actor_id\":"u8);
        w.Uuid(r.ActorId);
        w.Raw(",\"actor_name\":"u8);
        w.String(r.ActorName);
        w.Raw(",\"actor_roles\":["u8);
        for (var i = 0; i < r.ActorRoles.Count; i++)
        {
            if (i > 0)
            {
                w.Raw(","u8);
            }

            w.String(r.ActorRoles[i]);
        }

        w.Raw("],\"actor_type\":"u8);
        w.String(r.ActorType);
        w.Raw(",\"changes\":"u8);
        WriteChanges(r.Changes, w);
        w.Raw(",\"client_address\":"u8);
        w.String(r.ClientAddress);
        w.Raw(",\"note\":"u8);
        w.String(r.Note);
        w.Raw(",\"occurred_at\":"u8);
        w.String(FormatTime(r.OccurredAt));
        w.Raw(",\"prev_hash\":"u8);
        w.String(Convert.ToHexStringLower(r.PrevHash));
        w.Raw(",\"request_id\":"u8);
        w.String(r.RequestId);
        w.Raw(",\"resource_id\":"u8);
        w.String(r.ResourceId);
        w.Raw(",\"resource_type\":"u8);
        w.String(r.ResourceType);
        w.Raw(",\"seq\":"u8);
        w.Integer(r.Seq);
        w.Raw(",\"session_id\":"u8);
        w.Uuid(r.SessionId);
        w.Raw(",\"tenant_id\":"u8);
        w.Uuid(r.TenantId);
        w.Raw(",\"user_agent\":"u8);
        w.String(r.UserAgent);
        w.Raw(",\"v\":"u8);
        w.Integer(Version);
        w.Raw("}"u8);
    }

    /// <summary>The <c>changes</c> array alone, canonical too; stored as the entry's jsonb column.</summary>
    public static string SerializeChanges(IReadOnlyList<AuditChange> changes)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var w = new CanonicalWriter(buffer);
        WriteChanges(changes, w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a <c>changes</c> array back (from the jsonb column or an export line).</summary>
    public static IReadOnlyList<AuditChange> ParseChanges(ReadOnlySpan<byte> json)
    {
        var changes = new List<AuditChange>();
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException("Audit changes must be a JSON array.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? field = null, old = null, @new = null;
            var redacted = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "field":
                        field = reader.GetString();
                        break;
                    case "old":
                        old = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                        break;
                    case "new":
                        @new = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                        break;
                    case "redacted":
                        redacted = reader.GetBoolean();
                        break;
                    default:
                        throw new FormatException($"Unknown member '{name}' in an audit change.");
                }
            }

            changes.Add(new AuditChange(field ?? throw new FormatException("An audit change has no field."), old, @new, redacted));
        }

        return changes;
    }

    public static string FormatTime(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteChanges(IReadOnlyList<AuditChange> changes, CanonicalWriter w)
    {
        w.Raw("["u8);
        for (var i = 0; i < changes.Count; i++)
        {
            var c = changes[i];
            w.Raw(i > 0 ? ",{\"field\":"u8 : "{\"field\":"u8);
            w.String(c.Field);
            if (c.IsRedacted)
            {
                w.Raw(",\"redacted\":true}"u8);
            }
            else
            {
                w.Raw(",\"new\":"u8);
                w.String(c.New);
                w.Raw(",\"old\":"u8);
                w.String(c.Old);
                w.Raw("}"u8);
            }
        }

        w.Raw("]"u8);
    }

    private readonly struct CanonicalWriter(ArrayBufferWriter<byte> output)
    {
        private readonly ArrayBufferWriter<byte> _output = output;

        public void Raw(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

        public void Integer(long value)
        {
            var span = _output.GetSpan(20);
            value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            _output.Advance(written);
        }

        public void Uuid(Guid? value)
        {
            if (value is not { } id)
            {
                Raw("null"u8);
                return;
            }

            var span = _output.GetSpan(38);
            span[0] = (byte)'"';
            id.TryFormat(span[1..], out var written, "D");
            span[written + 1] = (byte)'"';
            _output.Advance(written + 2);
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Raw("null"u8);
                return;
            }

            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            var utf8 = max <= 1024 ? stackalloc byte[max] : new byte[max];
            var length = Encoding.UTF8.GetBytes(value, utf8);
            utf8 = utf8[..length];

            Raw("\""u8);
            var start = 0;
            for (var i = 0; i < utf8.Length; i++)
            {
                var b = utf8[i];
                if (b >= 0x20 && b != (byte)'"' && b != (byte)'\\')
                {
                    continue;
                }

                _output.Write(utf8[start..i]);
                start = i + 1;
                switch (b)
                {
                    case (byte)'"': Raw("\\\""u8); break;
                    case (byte)'\\': Raw("\\\\"u8); break;
                    case (byte)'\b': Raw("\\b"u8); break;
                    case (byte)'\f': Raw("\\f"u8); break;
                    case (byte)'\n': Raw("\\n"u8); break;
                    case (byte)'\r': Raw("\\r"u8); break;
                    case (byte)'\t': Raw("\\t"u8); break;
                    default:
                        Raw("\\u00"u8);
                        var hex = _output.GetSpan(2);
                        hex[0] = (byte)"0123456789abcdef"[b >> 4];
                        hex[1] = (byte)"0123456789abcdef"[b & 0xF];
                        _output.Advance(2);
                        break;
                }
            }

            _output.Write(utf8[start..]);
            Raw("\""u8);
        }
    }
}
