using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haven.Testing;

/// <summary>
/// A real ClamAV daemon (the machine's clamd) on a free loopback port, loaded with one test signature instead of the
/// public databases (which cannot be downloaded here): content containing <see cref="Signature"/> is reported as
/// <c>Haven.Test.Marker.UNOFFICIAL FOUND</c>, exactly as clamd reports real malware.
/// </summary>
public sealed class ClamD : IAsyncDisposable
{
    public const string Signature = "HAVEN-CLAMAV-TEST-SIGNATURE";
    public const string Executable = "/usr/sbin/clamd";
    private readonly Process _process;
    private readonly string _directory;
    private bool _disposed;

    private ClamD(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public static bool IsInstalled => File.Exists(Executable);

    public int Port { get; }

    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Haven:Files:ClamAv:Host", "127.0.0.1"),
        new("Haven:Files:ClamAv:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public static async Task<ClamD> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "haven-clamd-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(directory, "db"));
        await File.WriteAllTextAsync(Path.Combine(directory, "db", "haven.ndb"),
            $"Haven.Test.Marker:0:*:{Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Signature))}\n");
        var port = FreePort();
        var config = Path.Combine(directory, "clamd.conf");
        await File.WriteAllTextAsync(config, $"""
            DatabaseDirectory {Path.Combine(directory, "db")}
            TCPSocket {port}
            TCPAddr 127.0.0.1
            Foreground yes
            StreamMaxLength 100M
            """);
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clamd = new ClamD(process, directory, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await clamd.PingAsync())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await clamd.DisposeAsync();
                throw new InvalidOperationException("clamd did not start.");
            }

            await Task.Delay(200);
        }

        return clamd;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            await client.GetStream().WriteAsync("zPING\0"u8.ToArray());
            var reply = new byte[16];
            var read = await client.GetStream().ReadAsync(reply);
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
