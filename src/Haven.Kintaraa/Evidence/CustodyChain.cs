using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Evidence;

/// <summary>
/// The chain of custody of one evidence item: every entry commits to the one before it (SHA-256 over the previous
/// entry's hash and this entry's fields), so an entry altered, removed or inserted later breaks every hash after it.
/// The first entry commits to 32 zero bytes.
/// </summary>
public static class CustodyChain
{
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>Database time precision: entries are hashed exactly as they are stored.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    public static byte[] Hash(byte[] previousHash, CustodyEntry entry)
    {
        var canonical = string.Join('\n',
            entry.EvidenceId.ToString("D"),
            entry.Sequence.ToString(CultureInfo.InvariantCulture),
            SnakeEnum<CustodyAction>.Name(entry.Action),
            SnakeEnum<ParticipantRole>.Name(entry.ActorRole),
            entry.ActorId?.ToString("D") ?? "",
            entry.ActorLabel,
            entry.Recipient ?? "",
            entry.Note ?? "",
            entry.Sha256,
            entry.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        var bytes = Encoding.UTF8.GetBytes(canonical);
        var buffer = new byte[previousHash.Length + bytes.Length];
        previousHash.CopyTo(buffer, 0);
        bytes.CopyTo(buffer, previousHash.Length);
        return SHA256.HashData(buffer);
    }

    /// <summary>The sequence number of the first entry that does not follow from the ones before it, or null when the chain is intact.</summary>
    public static int? FirstBreak(IReadOnlyList<CustodyEntry> entries)
    {
        var previous = Genesis;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Sequence != i + 1 || !entry.PreviousHash.AsSpan().SequenceEqual(previous) || !entry.EntryHash.AsSpan().SequenceEqual(Hash(previous, entry)))
            {
                return entry.Sequence;
            }

            previous = entry.EntryHash;
        }

        return null;
    }
}
