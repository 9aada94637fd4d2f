using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Haven.Testing;

/// <summary>
/// A real S3-compatible server (s3rver from the repository's node_modules) on a free loopback port, with one bucket,
/// storing under a temporary folder that disappears with it. Tests use it to exercise the S3 backend for real.
/// </summary>
public sealed partial class S3rver : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private readonly Process _process;
    private bool _disposed;

    private S3rver(Process process, string directory, string bucket, int port)
    {
        _process = process;
        Directory = directory;
        Bucket = bucket;
        ServiceUrl = $"http://127.0.0.1:{port}";
    }

    public string ServiceUrl { get; }

    public string Bucket { get; }

    /// <summary>Where s3rver keeps the bucket's objects (to prove what is, and is not, stored).</summary>
    public string Directory { get; }

    /// <summary>Settings that point Haven's file storage at this server.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Haven:Files:Backend", "S3"),
        new("Haven:Files:S3:ServiceUrl", ServiceUrl),
        new("Haven:Files:S3:Bucket", Bucket),
        new("Haven:Files:S3:AccessKey", AccessKey),
        new("Haven:Files:S3:SecretKey", SecretKey),
        new("Haven:Files:S3:PartSize", (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public static async Task<S3rver> StartAsync(string bucket = "haven-test")
    {
        var script = Path.Combine(Repository.Root, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"s3rver is not installed ({script}); run 'npm ci' at the repository root.");
        }

        var directory = Path.Combine(Path.GetTempPath(), "haven-s3rver-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "-d", directory, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", bucket })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // s3rver logs every request; the output is drained so it never blocks, and only the port is kept.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningPattern().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new S3rver(process, directory, bucket, port);
    }

    /// <summary>Files s3rver holds for complete objects (its metadata sidecars excluded).</summary>
    public IReadOnlyList<string> StoredObjects() =>
        [.. System.IO.Directory.EnumerateFiles(Path.Combine(Directory, Bucket), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith("._S3rver_object", StringComparison.Ordinal))];

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
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp folder is cleaned by the OS eventually.
        }
    }

    [GeneratedRegex(@"listening on [^:\s]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
