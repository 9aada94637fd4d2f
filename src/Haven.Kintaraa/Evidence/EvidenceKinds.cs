using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Evidence;

/// <summary>Evidence kinds by content type: only formats a provider can open and a court can be given are accepted.</summary>
public static class EvidenceKinds
{
    private static readonly HashSet<string> Documents = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    };

    public static EvidenceKind? For(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        if (Documents.Contains(mediaType))
        {
            return EvidenceKind.Document;
        }

        var slash = mediaType.IndexOf('/');
        if (slash <= 0 || slash == mediaType.Length - 1)
        {
            return null;
        }

        return mediaType[..slash].ToLowerInvariant() switch
        {
            // SVG can carry script; it is not a photo.
            "image" when !mediaType.Contains("svg", StringComparison.OrdinalIgnoreCase) => EvidenceKind.Photo,
            "audio" => EvidenceKind.Audio,
            "video" => EvidenceKind.Video,
            _ => null,
        };
    }
}
