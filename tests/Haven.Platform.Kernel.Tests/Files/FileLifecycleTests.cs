using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Files;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Platform.Security;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Files;

public sealed class FileLifecycleTests
{
    private static readonly string KeyV1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyV2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_file_the_scanner_flags_is_kept_but_never_served()
    {
        await using var app = await KernelApp.StartAsync(o => o.Services = s => s.AddSingleton<IFileScanner, MarkerScanner>());
        var clerk = await app.ClerkAsync();
        var infected = Samples.Text("evidence " + MarkerScanner.Signature + " attached");

        var flagged = await (await app.UploadAsync(clerk, KernelTestModule.Documents, infected, "note.txt")).ShouldBeOkAsync<StoredFileResponse>(201);
        var clean = await (await app.UploadAsync(clerk, KernelTestModule.Documents, Samples.Text(300 * 1024), "clean.txt")).ShouldBeOkAsync<StoredFileResponse>(201);

        flagged.Status.Should().Be(FileStatus.Quarantined);
        (await app.App.InScopeAsync(s => s.GetRequiredService<IFileStore>().FindAsync(flagged.Id)))!.StatusReason.Should().Be("Test-Marker FOUND");
        await (await clerk.GetAsync($"/test/files/{flagged.Id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(409, "file_quarantined");
        clean.Status.Should().Be(FileStatus.Available);
        (await clerk.GetByteArrayAsync($"/test/files/{clean.Id}", TestContext.Current.CancellationToken)).Should().HaveCount(300 * 1024);
    }

    [Fact]
    public async Task When_the_scanner_fails_the_upload_is_refused_and_nothing_is_kept()
    {
        await using var app = await KernelApp.StartAsync(o => o.Services = s => s.AddSingleton<IFileScanner, BrokenScanner>());

        var response = await app.UploadAsync(await app.ClerkAsync(), KernelTestModule.Media, Samples.Mp4(1024 * 1024), "clip.mp4");

        await response.ShouldBeProblemAsync(503, "scan_unavailable");
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.files")).Should().Be(0);
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads")).Should().Be(0);
        StoredFiles(app).Should().BeEmpty();
    }

    [Fact]
    public async Task An_upload_cut_off_mid_stream_leaves_nothing_behind()
    {
        await using var app = await KernelApp.StartAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync(app.App.BaseAddress.Host, app.App.BaseAddress.Port, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();
        var head = $"POST /test/files/{KernelTestModule.Media}?file_name=cut.mp4 HTTP/1.1\r\nHost: {app.App.BaseAddress.Authority}\r\n" +
                   $"Authorization: Bearer {await app.ClerkTokenAsync()}\r\n" +
                   "Content-Type: application/octet-stream\r\nContent-Length: 8388608\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);
        await stream.WriteAsync(Samples.Mp4(3 * 1024 * 1024), TestContext.Current.CancellationToken);
        await stream.FlushAsync(TestContext.Current.CancellationToken);

        // The upload is under way: recorded, and partly written to a temporary file.
        await Eventually(async () => await app.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads") == 1 && StoredFiles(app).Count == 1);
        socket.Client.Close();

        await Eventually(async () => await app.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads") == 0 && StoredFiles(app).Count == 0);
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.files")).Should().Be(0);
    }

    [Fact]
    public async Task The_sweeper_removes_what_a_dead_process_left_and_spares_uploads_in_progress()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var app = await KernelApp.StartAsync(o => o.Clock = clock);
        var storage = app.App.Services.GetRequiredService<IObjectStorage>();
        var (midway, finished, fresh) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        // A process died mid-upload (a partial temporary file) and another after completing the object but before its metadata.
        await RecordUploadAsync(app, midway, clock.GetUtcNow().AddDays(-2));
        await using var partial = await storage.BeginUploadAsync(ObjectKeys.For(midway), (_, _) => Task.CompletedTask, CancellationToken.None);
        await partial.WriteAsync(new byte[4096], CancellationToken.None);
        await RecordUploadAsync(app, finished, clock.GetUtcNow().AddDays(-2));
        var complete = await storage.BeginUploadAsync(ObjectKeys.For(finished), (_, _) => Task.CompletedTask, CancellationToken.None);
        await complete.WriteAsync(new byte[4096], CancellationToken.None);
        await complete.CompleteAsync(CancellationToken.None);
        await RecordUploadAsync(app, fresh, clock.GetUtcNow().AddMinutes(-5));
        StoredFiles(app).Should().HaveCount(2);

        var removed = await app.App.Services.GetRequiredService<FileSweeper>().SweepAsync(CancellationToken.None);

        removed.Should().Be(2);
        StoredFiles(app).Should().BeEmpty();
        (await app.ScalarAsync<Guid>("SELECT id FROM platform.file_uploads")).Should().Be(fresh, "an upload younger than the threshold may still be running");
    }

    [Fact]
    public async Task Readiness_reports_the_file_storage()
    {
        await using var healthy = await KernelApp.StartAsync();
        await using var broken = await KernelApp.StartAsync(o => o.Settings["Haven:Files:LocalPath"] = "/proc/haven-cannot-write-here");

        var ready = await healthy.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken);
        var notReady = await broken.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken);

        (await ready.ShouldBeJsonAsync())["checks"]!["file-storage"]!.GetValue<string>().Should().Be("healthy");
        (await notReady.ShouldBeJsonAsync(503))["checks"]!["file-storage"]!.GetValue<string>().Should().Be("unhealthy");
    }

    [Fact]
    public async Task Rotating_the_key_encryption_key_rewraps_data_keys_without_rewriting_content()
    {
        await using var first = await KernelApp.StartAsync(o => Keys(o, ("v1", KeyV1)));
        var clerk = await first.ClerkAsync();
        var content = Samples.Jpeg(100 * 1024);
        var id = await first.UploadOkAsync(clerk, KernelTestModule.Images, content, "before-rotation.jpg");
        var objectPath = Path.Combine(first.App.FilesPath, "files", id.ToString("N"));
        var objectBefore = await File.ReadAllBytesAsync(objectPath, TestContext.Current.CancellationToken);

        // The same database and files under a new current key, the old one still configured for reading.
        await using var rotated = await KernelApp.StartAsync(o =>
        {
            Keys(o, ("v2", KeyV2), ("v1", KeyV1));
            o.Settings["ConnectionStrings:Haven"] = first.DatabaseConnectionString;
            o.Settings["Haven:Files:LocalPath"] = first.App.FilesPath;
        });
        (await (await rotated.ClerkAsync()).GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken)).Should().Equal(content);
        var result = await rotated.App.InScopeAsync(s => s.GetRequiredService<FileKeyRotation>().RotateAsync(CancellationToken.None));

        result.Should().Be(new FileRotationResult(1, 0));
        (await rotated.ScalarAsync<string>("SELECT key_id FROM platform.files WHERE id = $1", id)).Should().Be("v2");
        (await File.ReadAllBytesAsync(objectPath, TestContext.Current.CancellationToken)).Should().Equal(objectBefore, "content is not rewritten");
        await using var retired = await KernelApp.StartAsync(o =>
        {
            Keys(o, ("v2", KeyV2));
            o.Settings["ConnectionStrings:Haven"] = first.DatabaseConnectionString;
            o.Settings["Haven:Files:LocalPath"] = first.App.FilesPath;
        });
        (await (await retired.ClerkAsync()).GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken))
            .Should().Equal(content, "v1 can be retired once rotation is done");
    }

    [Fact]
    public async Task The_rotate_command_rewraps_from_the_command_line()
    {
        await using var app = await KernelApp.StartAsync(o => Keys(o, ("v1", KeyV1)));
        var id = await app.UploadOkAsync(await app.ClerkAsync(), KernelTestModule.Images, Samples.Jpeg(), "cli.jpg");
        var directory = Directory.CreateTempSubdirectory("haven-files-cli-");

        var (exitCode, output) = await HavenProcess.RunAsync(directory.FullName, "files", "rotate-keys", "--environment=Development",
            $"--ConnectionStrings:Haven={app.DatabaseConnectionString}", "--Haven:Keys:files:Current=v2",
            $"--Haven:Keys:files:Versions:v1={KeyV1}", $"--Haven:Keys:files:Versions:v2={KeyV2}");

        exitCode.Should().Be(0, output);
        output.Should().Contain("1 data keys re-wrapped, 0 could not be unwrapped.");
        (await app.ScalarAsync<string>("SELECT key_id FROM platform.files WHERE id = $1", id)).Should().Be("v2");
        directory.Delete(recursive: true);
    }

    [Theory]
    [InlineData("untouched", true)]
    [InlineData("altered", false)]
    [InlineData("truncated", false)]
    [InlineData("last-chunk-dropped", false)]
    [InlineData("reordered", false)]
    [InlineData("extended", false)]
    [InlineData("spliced-from-another-file", false)]
    [InlineData("another-files-header", false)]
    public async Task Only_the_untouched_object_decrypts(string tampering, bool decrypts)
    {
        await using var app = await KernelApp.StartAsync();
        var clerk = await app.ClerkAsync();
        var content = Samples.Mp4(3 * 64 * 1024 + 100);
        var id = await app.UploadOkAsync(clerk, KernelTestModule.Media, content, "a.mp4");
        var other = await app.UploadOkAsync(clerk, KernelTestModule.Media, Samples.Mp4(3 * 64 * 1024 + 100), "b.mp4");
        var stored = await File.ReadAllBytesAsync(Path.Combine(app.App.FilesPath, "files", id.ToString("N")), TestContext.Current.CancellationToken);
        var otherStored = await File.ReadAllBytesAsync(Path.Combine(app.App.FilesPath, "files", other.ToString("N")), TestContext.Current.CancellationToken);
        var chunk = (64 * 1024) + FileCipher.TagSize;
        byte[] Slice(byte[] bytes, int index) => bytes.AsSpan(FileCipher.HeaderSize + (index * chunk), Math.Min(chunk, bytes.Length - FileCipher.HeaderSize - (index * chunk))).ToArray();

        var candidate = tampering switch
        {
            "untouched" => stored,
            "altered" => Flip(stored, FileCipher.HeaderSize + chunk + 5),
            "truncated" => stored[..^1],
            "last-chunk-dropped" => stored[..(FileCipher.HeaderSize + (3 * chunk))],
            "reordered" => [.. stored[..FileCipher.HeaderSize], .. Slice(stored, 1), .. Slice(stored, 0), .. Slice(stored, 2), .. Slice(stored, 3)],
            "extended" => [.. stored, .. Slice(stored, 1)],
            "spliced-from-another-file" => [.. stored[..(FileCipher.HeaderSize + chunk)], .. Slice(otherStored, 1), .. stored[(FileCipher.HeaderSize + (2 * chunk))..]],
            "another-files-header" => [.. otherStored[..FileCipher.HeaderSize], .. stored[FileCipher.HeaderSize..]],
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };
        var dataKey = await DataKeyAsync(app, id);
        using var plaintext = new MemoryStream();

        var decrypt = () => FileCipher.DecryptAsync(new MemoryStream(candidate), plaintext, dataKey, id, TestContext.Current.CancellationToken);

        if (decrypts)
        {
            (await decrypt()).Should().Be(content.Length);
            plaintext.ToArray().Should().Equal(content);
        }
        else
        {
            await decrypt.Should().ThrowAsync<FileIntegrityException>();
        }
    }

    private static async Task<byte[]> DataKeyAsync(KernelApp app, Guid id)
    {
        var keyId = await app.ScalarAsync<string>("SELECT key_id FROM platform.files WHERE id = $1", id);
        var wrapped = await app.ScalarAsync<byte[]>("SELECT wrapped_key FROM platform.files WHERE id = $1", id);
        var kek = app.App.Services.GetRequiredService<KeyStore>().Get(FileCipher.KekName).Get(keyId!);
        return FileCipher.UnwrapKey(wrapped, kek, id);
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x80;
        return copy;
    }

    private static void Keys(HavenTestAppOptions options, params (string Id, string Material)[] versions)
    {
        options.Settings["Haven:Keys:files:Current"] = versions[0].Id;
        foreach (var (id, material) in versions)
        {
            options.Settings[$"Haven:Keys:files:Versions:{id}"] = material;
        }
    }

    private static Task RecordUploadAsync(KernelApp app, Guid id, DateTimeOffset startedAt) =>
        app.ExecuteAsync("INSERT INTO platform.file_uploads (id, storage_key, started_at) VALUES ($1, $2, $3)", id, ObjectKeys.For(id), startedAt);

    private static List<string> StoredFiles(KernelApp app) =>
        Directory.Exists(app.App.FilesPath) ? [.. Directory.EnumerateFiles(app.App.FilesPath, "*", SearchOption.AllDirectories)] : [];

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true within 15 seconds.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Flags content carrying a signature, reading the whole stream as a real scanner would.</summary>
    private sealed class MarkerScanner : IFileScanner
    {
        public const string Signature = "X5O!P%@AP-HAVEN-TEST-SIGNATURE";

        public async Task<FileScanResult> ScanAsync(FileScanContext context, Stream content, CancellationToken cancellationToken)
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer.ToArray()).Contains(Signature, StringComparison.Ordinal)
                ? FileScanResult.Infected("Test-Marker FOUND")
                : FileScanResult.Clean;
        }
    }

    private sealed class BrokenScanner : IFileScanner
    {
        public async Task<FileScanResult> ScanAsync(FileScanContext context, Stream content, CancellationToken cancellationToken)
        {
            await content.ReadExactlyAsync(new byte[1024], cancellationToken);
            throw new IOException("clamd: connection refused");
        }
    }
}
