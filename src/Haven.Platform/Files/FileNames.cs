using System.Globalization;
using System.Text;

namespace Haven.Platform.Files;

/// <summary>
/// Display names for stored files. Names are never used as storage keys (objects are keyed by file id), so a name
/// cannot reach the disk or the bucket; these rules keep it harmless where it is shown and in Content-Disposition.
/// </summary>
public static class FileNames
{
    public const int MaxLength = 200;

    /// <summary>
    /// The last path segment only; control and formatting characters (CR, LF, bidi overrides that disguise
    /// extensions) removed; characters reserved on common file systems and quotes replaced by '_'; NFC; at most
    /// <see cref="MaxLength"/> characters, keeping the extension. Empty or dot-only names become "file".
    /// </summary>
    public static string Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "file";
        }

        var last = name.Split('/', '\\')[^1].Normalize(NormalizationForm.FormC);
        var builder = new StringBuilder(last.Length);
        foreach (var rune in last.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }

            builder.Append(rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*' or ';' ? "_" : rune.ToString());
        }

        var cleaned = builder.ToString().Trim().Trim('.').Trim();
        if (cleaned.Length == 0)
        {
            return "file";
        }

        if (cleaned.Length > MaxLength)
        {
            var extension = Path.GetExtension(cleaned);
            extension = extension.Length is > 0 and <= 16 ? extension : "";
            var stem = cleaned[..(MaxLength - extension.Length)];
            if (char.IsHighSurrogate(stem[^1]))
            {
                stem = stem[..^1];
            }

            cleaned = stem + extension;
        }

        return cleaned;
    }

    /// <summary>
    /// A Content-Disposition value (RFC 6266): an ASCII <c>filename</c> fallback with everything outside printable ASCII
    /// replaced, and <c>filename*</c> carrying the exact name in RFC 8187 UTF-8 percent-encoding.
    /// </summary>
    public static string ContentDisposition(string name, bool inline)
    {
        var safe = Sanitize(name);
        var ascii = new StringBuilder(safe.Length);
        foreach (var c in safe)
        {
            ascii.Append(c is >= ' ' and <= '~' and not '"' and not '\\' and not '%' ? c : '_');
        }

        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(safe))
        {
            // attr-char of RFC 8187: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else is %XX.
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return $"{(inline ? "inline" : "attachment")}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}";
    }
}
