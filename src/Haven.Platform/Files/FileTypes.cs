using System.Text;

namespace Haven.Platform.Files;

/// <summary>A content type Haven recognizes by its first bytes (never by the name or the client's Content-Type).</summary>
public sealed record FileType(string Name, string MediaType, string Extension)
{
    /// <summary>Images, audio and video a browser may show in place; anything else is always downloaded as an attachment.</summary>
    public bool MayDisplayInline => MediaType.StartsWith("image/", StringComparison.Ordinal)
        || MediaType.StartsWith("audio/", StringComparison.Ordinal) || MediaType.StartsWith("video/", StringComparison.Ordinal);

    public override string ToString() => Name;
}

/// <summary>The recognized types and the sniffer. Add a type here with its signature and a test.</summary>
public static class FileTypes
{
    /// <summary>How many leading bytes <see cref="Detect"/> wants (Office documents name their parts within the first entries).</summary>
    public const int SniffLength = 64 * 1024;

    public static readonly FileType Jpeg = new("jpeg", "image/jpeg", ".jpg");
    public static readonly FileType Png = new("png", "image/png", ".png");
    public static readonly FileType Gif = new("gif", "image/gif", ".gif");
    public static readonly FileType Webp = new("webp", "image/webp", ".webp");
    public static readonly FileType Heic = new("heic", "image/heic", ".heic");
    public static readonly FileType Pdf = new("pdf", "application/pdf", ".pdf");
    public static readonly FileType Mp4 = new("mp4", "video/mp4", ".mp4");
    public static readonly FileType QuickTime = new("quicktime", "video/quicktime", ".mov");
    public static readonly FileType ThreeGpp = new("3gpp", "video/3gpp", ".3gp");
    public static readonly FileType Webm = new("webm", "video/webm", ".webm");
    public static readonly FileType Mp3 = new("mp3", "audio/mpeg", ".mp3");
    public static readonly FileType M4a = new("m4a", "audio/mp4", ".m4a");
    public static readonly FileType Aac = new("aac", "audio/aac", ".aac");
    public static readonly FileType Ogg = new("ogg", "audio/ogg", ".ogg");
    public static readonly FileType Wav = new("wav", "audio/wav", ".wav");
    public static readonly FileType Amr = new("amr", "audio/amr", ".amr");
    public static readonly FileType Docx = new("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx");
    public static readonly FileType Xlsx = new("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx");
    public static readonly FileType Pptx = new("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx");
    public static readonly FileType PlainText = new("text", "text/plain; charset=utf-8", ".txt");

    public static IReadOnlyList<FileType> All { get; } =
        [Jpeg, Png, Gif, Webp, Heic, Pdf, Mp4, QuickTime, ThreeGpp, Webm, Mp3, M4a, Aac, Ogg, Wav, Amr, Docx, Xlsx, Pptx, PlainText];

    public static IReadOnlyList<FileType> Images { get; } = [Jpeg, Png, Gif, Webp, Heic];

    public static IReadOnlyList<FileType> Audio { get; } = [Mp3, M4a, Aac, Ogg, Wav, Amr];

    public static IReadOnlyList<FileType> Video { get; } = [Mp4, QuickTime, ThreeGpp, Webm];

    public static IReadOnlyList<FileType> Documents { get; } = [Pdf, Docx, Xlsx, Pptx, PlainText];

    public static FileType? ByName(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The type the content's first bytes show, or null if none is recognized.</summary>
    /// <param name="head">The first <see cref="SniffLength"/> bytes (fewer if the content is shorter).</param>
    /// <param name="isComplete">True when <paramref name="head"/> is the whole content.</param>
    public static FileType? Detect(ReadOnlySpan<byte> head, bool isComplete)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8))
        {
            if (head[8..12].SequenceEqual("WEBP"u8))
            {
                return Webp;
            }

            if (head[8..12].SequenceEqual("WAVE"u8))
            {
                return Wav;
            }

            return null;
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return IsoMedia(head[8..12]);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            // EBML: Matroska and WebM differ only in the DocType element near the start.
            return head[..Math.Min(head.Length, 64)].IndexOf("webm"u8) >= 0 ? Webm : null;
        }

        if (head.StartsWith("OggS"u8))
        {
            return Ogg;
        }

        if (head.StartsWith("#!AMR"u8))
        {
            return Amr;
        }

        if (head.StartsWith("ID3"u8))
        {
            return Mp3;
        }

        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            // MPEG audio frame sync; the layer bits tell MP3 (layer III) from AAC in ADTS (layer 0).
            var layer = (head[1] >> 1) & 0x03;
            return layer switch
            {
                0 => Aac,
                1 => Mp3,
                _ => null,
            };
        }

        if (head.StartsWith("PK\x03\x04"u8))
        {
            return OfficeDocument(head);
        }

        return IsText(head, isComplete) ? PlainText : null;
    }

    private static FileType? IsoMedia(ReadOnlySpan<byte> brand)
    {
        var name = Encoding.ASCII.GetString(brand);
        return name switch
        {
            "qt  " => QuickTime,
            "M4A " or "M4B " => M4a,
            "heic" or "heix" or "heim" or "heis" or "mif1" or "msf1" => Heic,
            _ when name.StartsWith("3g", StringComparison.Ordinal) => ThreeGpp,
            "isom" or "iso2" or "iso3" or "iso4" or "iso5" or "iso6" or "mp41" or "mp42" or "avc1" or "dash" or "MSNV" or "M4V " or "mmp4" => Mp4,
            _ => null,
        };
    }

    // Office Open XML is a zip whose part names ([Content_Types].xml, word/..., xl/..., ppt/...) are stored uncompressed in
    // the local file headers, which come first; a plain zip (or anything else zipped) is not accepted as a document.
    private static FileType? OfficeDocument(ReadOnlySpan<byte> head)
    {
        if (head.IndexOf("[Content_Types].xml"u8) < 0)
        {
            return null;
        }

        if (head.IndexOf("word/"u8) >= 0)
        {
            return Docx;
        }

        if (head.IndexOf("xl/"u8) >= 0)
        {
            return Xlsx;
        }

        return head.IndexOf("ppt/"u8) >= 0 ? Pptx : null;
    }

    private static bool IsText(ReadOnlySpan<byte> head, bool isComplete)
    {
        if (head.IsEmpty)
        {
            return false;
        }

        var span = head;
        if (!isComplete)
        {
            // The sniffed head may end inside a multi-byte character: drop an incomplete trailing sequence.
            var cut = span.Length;
            for (var i = 1; i <= 3 && i <= span.Length; i++)
            {
                var b = span[^i];
                if ((b & 0xC0) == 0x80)
                {
                    continue;
                }

                if (b >= 0xC0)
                {
                    var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                    if (needed > i)
                    {
                        cut = span.Length - i;
                    }
                }

                break;
            }

            span = span[..cut];
        }

        foreach (var b in span)
        {
            if (b == 0 || (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)))
            {
                return false;
            }
        }

        return Utf8Valid(span);
    }

    private static bool Utf8Valid(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
