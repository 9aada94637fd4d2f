using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Haven.Kintaraa.Tests.Support;

/// <summary>Content that starts the way real files of each type start, and uploads of it as the mobile app sends them.</summary>
public static class Samples
{
    public static byte[] Jpeg(int length = 4096) => WithHead([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00], length);

    public static byte[] Mp4(int length = 64 * 1024) => WithHead([0x00, 0x00, 0x00, 0x18, .. "ftypisom"u8, 0x00, 0x00, 0x02, 0x00, .. "isomiso2avc1mp41"u8], length);

    public static byte[] Executable(int length = 4096) => WithHead("MZ"u8.ToArray(), length);

    /// <summary>A zip archive (not an office document): no evidence kind.</summary>
    public static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("payload.exe").Open());
            writer.Write("MZ...");
        }

        return buffer.ToArray();
    }

    /// <summary>A multipart/form-data body with one file part, as browsers and React Native send files.</summary>
    public static MultipartFormDataContent Form(byte[] content, string fileName, string contentType = "application/octet-stream")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        return form;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static byte[] WithHead(byte[] head, int length)
    {
        var content = RandomNumberGenerator.GetBytes(length);
        head.CopyTo(content, 0);
        return content;
    }
}
