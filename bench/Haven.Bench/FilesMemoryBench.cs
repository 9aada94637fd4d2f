using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Haven.Platform.Audit;
using Haven.Platform.Files;
using Haven.Platform.Web;
using Haven.Server.Hosting;
using Haven.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Bench;

/// <summary>
/// Peak memory of the server process while a large file goes up and comes back through the HTTP API, streamed by
/// curl. The server is a separate process (this executable's <c>serve-files</c> mode: the real Haven host plus one
/// upload and one download endpoint written the way a module writes them), so its /proc figures are its own.
/// VmHWM is reset between phases (<c>/proc/PID/clear_refs</c>), giving each phase's own peak; the baseline is the
/// same server idle after a warm-up upload and download of a small file.
/// </summary>
public static class FilesMemoryBench
{
    private const string Use = "bench.media";

    public static async Task<int> RunAsync(int gib, bool s3)
    {
        var size = gib * 1024L * 1024 * 1024;
        var work = Directory.CreateTempSubdirectory("haven-bench-files-");
        var database = await TestPostgres.CreateDatabaseAsync();
        S3rver? bucket = null;
        Process? server = null;
        try
        {
            var source = Path.Combine(work.FullName, "source.mp4");
            Console.WriteLine($"Peak server memory for a {gib} GiB upload and download over HTTP ({(s3 ? "S3 backend, s3rver" : "local disk backend")}, {Environment.ProcessorCount} cores)");
            var expectedSha = await WriteSourceAsync(source, size);

            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__Haven"] = database,
                ["Haven__Files__LocalPath"] = Path.Combine(work.FullName, "store"),
                ["Haven__Keys__DevelopmentMaster"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Haven__Web__RateLimitPerAddressPerMinute"] = "100000",
                ["Logging__LogLevel__Default"] = "Warning",
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            };
            if (s3)
            {
                bucket = await S3rver.StartAsync("haven-bench");
                foreach (var (key, value) in bucket.Settings)
                {
                    environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
                }
            }

            (server, var url) = await StartServerAsync(environment);
            var small = Path.Combine(work.FullName, "small.mp4");
            await WriteSourceAsync(small, 1024 * 1024);
            var warm = Upload(url, small);
            Curl("-sS", "-o", "/dev/null", $"{url}/bench/files/{warm.Id}");
            var idle = Memory(server.Id);

            ResetPeak(server.Id);
            var upload = Upload(url, source);
            var uploadPeak = Memory(server.Id);

            ResetPeak(server.Id);
            var download = Stopwatch.StartNew();
            var actualSha = DownloadSha256($"{url}/bench/files/{upload.Id}");
            var downloadTime = download.Elapsed;
            var downloadPeak = Memory(server.Id);

            ResetPeak(server.Id);
            var range = Curl("-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-r", $"{size / 2}-{(size / 2) + (10 * 1024 * 1024) - 1}", $"{url}/bench/files/{upload.Id}");
            var rangePeak = Memory(server.Id);

            Console.WriteLine();
            Console.WriteLine($"  {"",-44} {"VmHWM MiB",10} {"VmRSS MiB",10} {"seconds",8} {"MB/s",8}");
            Console.WriteLine($"  {"baseline: idle after a 1 MiB warm-up",-44} {idle.PeakMiB,10:F0} {idle.RssMiB,10:F0}");
            Console.WriteLine($"  {$"upload {gib} GiB (curl -T, streamed)",-44} {uploadPeak.PeakMiB,10:F0} {uploadPeak.RssMiB,10:F0} {upload.Seconds,8:F1} {size / upload.Seconds / 1e6,8:F0}");
            Console.WriteLine($"  {$"download {gib} GiB (whole file, SHA-256 checked)",-44} {downloadPeak.PeakMiB,10:F0} {downloadPeak.RssMiB,10:F0} {downloadTime.TotalSeconds,8:F1} {size / downloadTime.TotalSeconds / 1e6,8:F0}");
            Console.WriteLine($"  {"range: 10 MiB from the middle (" + range + ")",-44} {rangePeak.PeakMiB,10:F0} {rangePeak.RssMiB,10:F0}");
            Console.WriteLine();
            Console.WriteLine($"  content intact after the round trip: {actualSha == expectedSha}");
            return actualSha == expectedSha ? 0 : 1;
        }
        finally
        {
            if (server is not null && !server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }

            if (bucket is not null)
            {
                await bucket.DisposeAsync();
            }

            await TestPostgres.DropDatabaseAsync(database);
            work.Delete(recursive: true);
        }
    }

    /// <summary>The real Haven host with an upload and a download endpoint, as a module would write them.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var builder = HavenHost.CreateBuilder([.. args, "--urls", "http://127.0.0.1:0"]);
        await using var app = HavenHost.Build(builder,
            services => services.AddHavenFileUse(new FileUse(Use, FileTypes.All, 3L * 1024 * 1024 * 1024)),
            endpoints =>
            {
                endpoints.MapPost("/bench/files", async (HttpRequest request, IFileStore files, CancellationToken cancellationToken) =>
                {
                    var result = await files.SaveFromRequestAsync(request, new FileSaveRequest(Use, null), cancellationToken);
                    return result.Succeeded ? Results.Ok(StoredFileResponse.From(result.File)) : result.Error.ToProblem();
                }).AllowAnonymous("benchmark host only, never part of the product");
                endpoints.MapGet("/bench/files/{id:guid}", (Guid id) => FileResults.Download(id, new AuditEvent("bench.file.downloaded", "file", id)))
                    .AllowAnonymous("benchmark host only, never part of the product");
            });
        await app.StartAsync();
        Console.WriteLine($"LISTENING {app.Urls.First()}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task<(Process Process, string Url)> StartServerAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(FilesMemoryBench).Assembly.Location);
        start.ArgumentList.Add("serve-files");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("LISTENING ", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(e.Data["LISTENING ".Length..]);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("  server: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, await listening.Task.WaitAsync(TimeSpan.FromMinutes(2)));
    }

    private static (Guid Id, double Seconds) Upload(string url, string path)
    {
        var output = Curl("-sS", "-T", path, "-X", "POST", "-H", "Content-Type: application/octet-stream", "-w", "\n%{time_total}",
            $"{url}/bench/files?file_name={Path.GetFileName(path)}");
        var lines = output.Split('\n');
        var body = JsonNode.Parse(lines[0]) ?? throw new InvalidOperationException(output);
        return body["id"] is { } id
            ? (id.GetValue<Guid>(), double.Parse(lines[^1], CultureInfo.InvariantCulture))
            : throw new InvalidOperationException("The upload failed: " + output);
    }

    private static string DownloadSha256(string url)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"curl -sS --fail '{url}' | sha256sum");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Split(' ')[0] : throw new InvalidOperationException("The download failed.");
    }

    private static string Curl(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"curl failed ({process.ExitCode}): {error}");
    }

    /// <summary>An MP4 header then random bytes, written in 4 MiB blocks; returns its SHA-256.</summary>
    private static async Task<string> WriteSourceAsync(string path, long size)
    {
        byte[] head = [0x00, 0x00, 0x00, 0x18, .. "ftypisom"u8, 0x00, 0x00, 0x02, 0x00, .. "isomiso2avc1mp41"u8];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = File.Create(path);
        var block = new byte[4 * 1024 * 1024];
        for (long written = 0; written < size; written += block.Length)
        {
            RandomNumberGenerator.Fill(block);
            if (written == 0)
            {
                head.CopyTo(block, 0);
            }

            var take = (int)Math.Min(block.Length, size - written);
            sha.AppendData(block, 0, take);
            await file.WriteAsync(block.AsMemory(0, take));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static (double PeakMiB, double RssMiB) Memory(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        double Read(string field) => long.Parse(status.Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture) / 1024.0;
        return (Read("VmHWM"), Read("VmRSS"));
    }

    /// <summary>Resets the process's peak resident set size to its current size (Linux: "5" in clear_refs).</summary>
    private static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");
}
