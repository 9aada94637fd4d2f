using System.Buffers;
using System.Data;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Haven.Platform.Audit;

/// <summary>Where the chain stops being trustworthy: the first entry that was altered, removed or inserted.</summary>
public sealed record AuditBreak(long Seq, string Kind, string Detail)
{
    public const string Altered = "altered";
    public const string Removed = "removed";
    public const string Inserted = "inserted";
}

/// <summary>A hash recorded outside the database (printed by an earlier verify, kept with an export); a rewritten tail cannot match it.</summary>
public sealed record AuditAnchor(long Seq, string Hash)
{
    public static AuditAnchor Parse(string value)
    {
        var colon = value.IndexOf(':');
        if (colon <= 0 || !long.TryParse(value[..colon], out var seq) || value.Length - colon - 1 != 64)
        {
            throw new FormatException($"'{value}' is not an anchor; write it as <seq>:<64 hex digits>.");
        }

        return new AuditAnchor(seq, value[(colon + 1)..].ToLowerInvariant());
    }
}

/// <summary>The outcome of walking a range of the chain.</summary>
/// <param name="LastHash">The recomputed hash of the last entry checked: record it, and pass it back later as an anchor.</param>
public sealed record AuditVerification(bool Intact, long FromSeq, long ToSeq, long Checked, string? LastHash, AuditBreak? Break);

/// <summary>
/// The chain rules, independent of where entries come from (the database or an export file). Feed entries in order;
/// the first violation is reported and named:
/// <list type="bullet">
/// <item>a number is skipped: that entry was <b>removed</b>;</item>
/// <item>an entry's content no longer matches its stored hash: it was <b>altered</b>;</item>
/// <item>an entry links to the one two places back: the one between was <b>inserted</b>;</item>
/// <item>an entry's link does not match its predecessor's recomputed hash: the predecessor was <b>altered</b> (and its hash
/// rewritten), or, when the entry's own hash fails too, entries before it were <b>removed</b> and the rest renumbered;</item>
/// <item>a recomputed hash differs from an anchor recorded earlier: the chain up to there was rewritten.</item>
/// </list>
/// </summary>
public sealed class AuditChainWalker(long firstSeq, byte[] startPrevHash, IEnumerable<AuditAnchor>? anchors = null)
{
    private readonly Dictionary<long, string> _anchors = (anchors ?? []).ToDictionary(a => a.Seq, a => a.Hash);
    private byte[] _running = startPrevHash;
    private byte[]? _beforeRunning;

    public long FirstSeq { get; } = firstSeq;

    public long NextSeq { get; private set; } = firstSeq;

    public long Checked => NextSeq - FirstSeq;

    public byte[] LastHash => _running;

    public AuditBreak? Break { get; private set; }

    /// <param name="storedHash">The hash stored beside the entry (database), or null when the hash is only recomputed (export).</param>
    /// <returns>False once the chain is broken; stop feeding then.</returns>
    public bool Step(long seq, ReadOnlySpan<byte> prevHash, byte[] computedHash, ReadOnlySpan<byte> storedHash = default)
    {
        if (Break is not null)
        {
            return false;
        }

        if (seq != NextSeq)
        {
            return Fail(new AuditBreak(NextSeq, seq > NextSeq ? AuditBreak.Removed : AuditBreak.Inserted, seq > NextSeq
                ? $"Entry {NextSeq} is missing: the chain goes from {NextSeq - 1} to {seq}."
                : $"Entry {seq} appears again after entry {NextSeq - 1}."));
        }

        var selfOk = storedHash.IsEmpty || storedHash.SequenceEqual(computedHash);
        if (!prevHash.SequenceEqual(_running))
        {
            if (seq == FirstSeq)
            {
                return Fail(new AuditBreak(seq, AuditBreak.Altered,
                    $"Entry {seq} does not link to the entry before it (its prev_hash differs from the starting hash)."));
            }

            if (_beforeRunning is not null && prevHash.SequenceEqual(_beforeRunning))
            {
                return Fail(new AuditBreak(seq - 1, AuditBreak.Inserted,
                    $"Entry {seq - 1} was inserted: entry {seq} links directly to entry {seq - 2}."));
            }

            return Fail(selfOk
                ? new AuditBreak(seq - 1, AuditBreak.Altered,
                    $"Entry {seq - 1} was altered: it no longer hashes to what entry {seq} recorded as its predecessor.")
                : new AuditBreak(seq, AuditBreak.Removed,
                    $"Entry {seq} links to no entry before it and does not match its own hash: entries before it were removed and the rest renumbered (or both were altered)."));
        }

        if (!selfOk)
        {
            return Fail(new AuditBreak(seq, AuditBreak.Altered, $"Entry {seq} was altered: its content no longer matches its hash."));
        }

        if (_anchors.TryGetValue(seq, out var anchor) && !string.Equals(anchor, Convert.ToHexStringLower(computedHash), StringComparison.Ordinal))
        {
            return Fail(new AuditBreak(seq, AuditBreak.Altered,
                $"Entry {seq} does not match the anchor recorded for it: the chain up to entry {seq} was rewritten."));
        }

        _beforeRunning = _running;
        _running = computedHash;
        NextSeq++;
        return true;
    }

    /// <summary>Checks the end of the walk: every entry up to <paramref name="lastSeq"/> was seen, ending in <paramref name="lastHash"/> if known.</summary>
    public void Finish(long lastSeq, ReadOnlySpan<byte> lastHash)
    {
        if (Break is not null)
        {
            return;
        }

        if (NextSeq <= lastSeq)
        {
            Fail(new AuditBreak(NextSeq, AuditBreak.Removed, NextSeq == lastSeq
                ? $"Entry {NextSeq}, the last one, is missing."
                : $"Entries {NextSeq} to {lastSeq} are missing from the end."));
            return;
        }

        if (NextSeq - 1 > lastSeq)
        {
            Fail(new AuditBreak(lastSeq + 1, AuditBreak.Inserted, $"Entries after {lastSeq} were added beyond the recorded end of the chain."));
            return;
        }

        if (!lastHash.IsEmpty && Checked > 0 && !lastHash.SequenceEqual(_running))
        {
            Fail(new AuditBreak(lastSeq, AuditBreak.Altered, $"Entry {lastSeq} does not match the hash recorded for the end of the chain."));
        }
    }

    public AuditVerification Result(long toSeq) =>
        new(Break is null, FirstSeq, toSeq, Checked, Checked > 0 ? Convert.ToHexStringLower(_running) : null, Break);

    private bool Fail(AuditBreak auditBreak)
    {
        Break = auditBreak;
        return false;
    }
}

/// <summary>Walks the stored chain (or a range of it) and names the first entry that was altered, removed or inserted.</summary>
public sealed class AuditVerifier(NpgsqlDataSource dataSource)
{
    public async Task<AuditVerification> VerifyAsync(
        long? fromSeq = null, long? toSeq = null, IEnumerable<AuditAnchor>? anchors = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for the head and the entries, so concurrent appends do not look like a broken end.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var (headSeq, headHash) = await AuditStore.ReadHeadAsync(connection, transaction, cancellationToken);
        var from = Math.Max(1, fromSeq ?? 1);
        var to = Math.Min(toSeq ?? headSeq, headSeq);
        var start = await AuditStore.HashBeforeAsync(connection, transaction, from, cancellationToken);
        if (start is null)
        {
            return new AuditVerification(false, from, to, 0, null,
                new AuditBreak(from - 1, AuditBreak.Removed, $"Entry {from - 1}, where the range starts, is missing."));
        }

        var walker = new AuditChainWalker(from, start, anchors);
        var buffer = new ArrayBufferWriter<byte>(1024);
        await foreach (var (record, stored) in AuditStore.ReadAsync(connection, transaction, from, to, cancellationToken))
        {
            buffer.ResetWrittenCount();
            AuditCanonical.Write(record, buffer);
            if (!walker.Step(record.Seq, record.PrevHash, SHA256.HashData(buffer.WrittenSpan), stored))
            {
                break;
            }
        }

        walker.Finish(to, to == headSeq ? headHash : []);
        return walker.Result(to);
    }
}

/// <summary>Reads the stored chain for verification and export.</summary>
internal static class AuditStore
{
    public static async Task<(long Seq, byte[] Hash)> ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT last_seq, last_hash FROM platform.audit_chain_head WHERE id = 1", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : (0, AuditCanonical.GenesisHash.ToArray());
    }

    /// <summary>The stored hash of the entry before <paramref name="seq"/> (the genesis hash before entry 1), or null if that entry is gone.</summary>
    public static async Task<byte[]?> HashBeforeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long seq, CancellationToken cancellationToken)
    {
        if (seq <= 1)
        {
            return AuditCanonical.GenesisHash.ToArray();
        }

        await using var command = new NpgsqlCommand("SELECT hash FROM platform.audit_entries WHERE seq = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq - 1 });
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public static async IAsyncEnumerable<(AuditRecord Record, byte[] StoredHash)> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long from, long to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT seq, occurred_at, actor_type, actor_id, actor_name, session_id, actor_roles, tenant_id, client_address, user_agent,
                   request_id, action, resource_type, resource_id, note, changes::text, prev_hash, hash
            FROM platform.audit_entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq
            """, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = to });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var record = new AuditRecord(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTime>(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetGuid(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetGuid(5),
                reader.GetFieldValue<string[]>(6),
                reader.IsDBNull(7) ? null : reader.GetGuid(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.GetString(11),
                reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                reader.IsDBNull(14) ? null : reader.GetString(14),
                AuditCanonical.ParseChanges(Encoding.UTF8.GetBytes(reader.GetString(15))),
                reader.GetFieldValue<byte[]>(16));
            yield return (record, reader.GetFieldValue<byte[]>(17));
        }
    }
}
