using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Haven.Platform.Kernel.Tests.Support;

/// <summary>Content that starts the way real files of each type start, followed by random (or marked) bytes.</summary>
public static class Samples
{
    public const string Marker = "HAVEN-PLAINTEXT-MARKER";

    public static byte[] Jpeg(int length = 4096) => WithHead([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00], length);

    public static byte[] Png(int length = 4096) => WithHead([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], length);

    public static byte[] Mp4(int length = 4096) => WithHead([0x00, 0x00, 0x00, 0x18, .. "ftypisom"u8, 0x00, 0x00, 0x02, 0x00, .. "isomiso2avc1mp41"u8], length);

    public static byte[] Executable(int length = 4096) => WithHead("MZ"u8.ToArray(), length);

    /// <summary>A JPEG whose body repeats <see cref="Marker"/>, to look for the plaintext at rest.</summary>
    public static byte[] MarkedJpeg(int length)
    {
        var content = Jpeg(length);
        var marker = Encoding.ASCII.GetBytes(Marker);
        for (var i = 64; i + marker.Length < content.Length; i += 4096)
        {
            marker.CopyTo(content, i);
        }

        return content;
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Text(int length)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append("The quick brown fox jumps over the lazy dog.\n");
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, length));
    }

    public static byte[] Docx()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            Add(zip, "_rels/.rels", "<?xml version=\"1.0\"?><Relationships/>");
            Add(zip, "word/document.xml", "<?xml version=\"1.0\"?><w:document xmlns:w=\"urn:w\"><w:body>Statement</w:body></w:document>");
        }

        return buffer.ToArray();
    }

    public static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "payload.exe", "MZ...");
        }

        return buffer.ToArray();
    }

    private static byte[] WithHead(byte[] head, int length)
    {
        var content = RandomNumberGenerator.GetBytes(length);
        head.CopyTo(content, 0);
        return content;
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(text);
    }
}
