using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Files;

/// <summary>Settings under <c>Haven:Files:ClamAv</c>; with a host set, uploads are scanned by that clamd.</summary>
public sealed class ClamAvOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 3310;

    /// <summary>
    /// How long one scan may take. clamd's own <c>StreamMaxLength</c> must be at least the largest file use's limit:
    /// a larger stream is refused by clamd, and the upload with it.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Scans uploads with ClamAV's daemon over its INSTREAM protocol (TCP), while they are being stored. "FOUND" quarantines
/// the file; an error (clamd down, stream too long) throws, so the upload is refused rather than kept unscanned.
/// </summary>
internal sealed class ClamAvFileScanner(IOptions<HavenFileOptions> options) : IFileScanner
{
    private const int ChunkSize = 64 * 1024;

    public async Task<FileScanResult> ScanAsync(FileScanContext context, Stream content, CancellationToken cancellationToken)
    {
        var settings = options.Value.ClamAv;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(settings.Host!, settings.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), timeout.Token);
        var buffer = new byte[4 + ChunkSize];
        while (true)
        {
            var read = await FileCipher.ReadFullAsync(content, buffer.AsMemory(4, ChunkSize), timeout.Token);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer, read);
            await stream.WriteAsync(buffer.AsMemory(0, 4 + read), timeout.Token);
            if (read == 0)
            {
                break;
            }
        }

        var reply = await ReadReplyAsync(stream, timeout.Token);
        if (reply.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            // "stream: Eicar-Test-Signature FOUND"
            return FileScanResult.Infected(reply.StartsWith("stream: ", StringComparison.Ordinal) ? reply["stream: ".Length..] : reply);
        }

        return reply.EndsWith(" OK", StringComparison.Ordinal)
            ? FileScanResult.Clean
            : throw new IOException($"clamd could not scan the file: {reply}");
    }

    internal static async Task<string> ReadReplyAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var reply = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1 && one[0] != 0)
        {
            reply.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. reply]).Trim();
    }
}

/// <summary>Ready while the configured clamd answers PING.</summary>
internal sealed class ClamAvHealthCheck(IOptions<HavenFileOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value.ClamAv;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(settings.Host!, settings.Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("zPING\0"u8.ToArray(), cancellationToken);
            return await ClamAvFileScanner.ReadReplyAsync(stream, cancellationToken) == "PONG"
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("clamd answered PING oddly");
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return HealthCheckResult.Unhealthy("clamd is not reachable", e);
        }
    }
}
