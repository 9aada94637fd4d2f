using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Haven.Platform.Files;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Files;

/// <summary>A real S3-compatible server (s3rver) on loopback and an app whose file storage points at it.</summary>
public sealed class S3AppFixture : IAsyncLifetime
{
    private S3rver? _s3;
    private KernelApp? _app;

    public S3rver S3 => _s3!;

    public KernelApp App => _app!;

    public async ValueTask InitializeAsync()
    {
        _s3 = await S3rver.StartAsync();
        _app = await KernelApp.StartAsync(o =>
        {
            foreach (var (key, value) in _s3.Settings)
            {
                o.Settings[key] = value;
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
    }
}

public sealed class StoringFilesInS3Tests(S3AppFixture fixture) : IClassFixture<S3AppFixture>
{
    private KernelApp App => fixture.App;

    [Fact]
    public async Task A_small_file_goes_up_in_one_put_and_comes_back_whole_and_in_ranges()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.Jpeg(200 * 1024);

        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, content, "photo.jpg");
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}") { Headers = { Range = new RangeHeaderValue(70_000, 140_000) } };
        var slice = await clerk.SendAsync(ranged, TestContext.Current.CancellationToken);

        (await clerk.GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken)).Should().Equal(content);
        slice.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await slice.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(content[70_000..140_001]);
    }

    [Fact]
    public async Task A_large_file_goes_up_in_parts_and_is_stored_encrypted()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.MarkedJpeg(12 * 1024 * 1024 + 3);

        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, content, "large.jpg");

        (await clerk.GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken)).Should().Equal(content);
        var stored = fixture.S3.StoredObjects().Single(f => f.Contains(id.ToString("N"), StringComparison.Ordinal));
        var bytes = await File.ReadAllBytesAsync(stored, TestContext.Current.CancellationToken);
        bytes.LongLength.Should().Be(FileCipher.CiphertextLength(content.Length, 64 * 1024), "the parts were joined into one complete object");
        Encoding.ASCII.GetString(bytes).Should().NotContain(Samples.Marker);
    }

    [Fact]
    public async Task An_upload_cut_off_mid_stream_leaves_no_object_in_the_bucket()
    {
        var objectsBefore = fixture.S3.StoredObjects().Count;
        using var socket = new TcpClient();
        await socket.ConnectAsync(App.App.BaseAddress.Host, App.App.BaseAddress.Port, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();
        var head = $"POST /test/files/{KernelTestModule.Media}?file_name=cut.mp4 HTTP/1.1\r\nHost: {App.App.BaseAddress.Authority}\r\n" +
                   $"Authorization: Bearer {await App.ClerkTokenAsync()}\r\n" +
                   "Content-Type: application/octet-stream\r\nContent-Length: 16777216\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);
        await stream.WriteAsync(Samples.Mp4(8 * 1024 * 1024), TestContext.Current.CancellationToken);

        // A multipart upload has begun (its id recorded for the sweeper) before the connection drops.
        await Eventually(async () => await App.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads WHERE backend_upload_id IS NOT NULL") == 1);
        socket.Client.Close();

        await Eventually(async () => await App.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads") == 0);
        fixture.S3.StoredObjects().Should().HaveCount(objectsBefore);
        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.files WHERE file_name = 'cut.mp4'")).Should().Be(0);
    }

    [Fact]
    public async Task The_sweeper_removes_an_object_whose_process_died_before_committing_it()
    {
        var orphan = Guid.NewGuid();
        var storage = App.App.Services.GetRequiredService<IObjectStorage>();
        await App.ExecuteAsync("INSERT INTO platform.file_uploads (id, storage_key, started_at) VALUES ($1, $2, $3)",
            orphan, ObjectKeys.For(orphan), DateTimeOffset.UtcNow.AddDays(-3));
        var upload = await storage.BeginUploadAsync(ObjectKeys.For(orphan), (_, _) => Task.CompletedTask, CancellationToken.None);
        await upload.WriteAsync(new byte[1024], CancellationToken.None);
        await upload.CompleteAsync(CancellationToken.None);
        (await storage.ExistsAsync(ObjectKeys.For(orphan), CancellationToken.None)).Should().BeTrue();

        await App.App.Services.GetRequiredService<FileSweeper>().SweepAsync(CancellationToken.None);

        (await storage.ExistsAsync(ObjectKeys.For(orphan), CancellationToken.None)).Should().BeFalse();
        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads WHERE id = $1", orphan)).Should().Be(0);
    }

    [Fact]
    public async Task Readiness_follows_the_bucket()
    {
        await using var s3 = await S3rver.StartAsync("haven-ready");
        await using var app = await KernelApp.StartAsync(o =>
        {
            foreach (var (key, value) in s3.Settings)
            {
                o.Settings[key] = value;
            }
        });

        var ready = await app.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken);
        await s3.DisposeAsync();
        var gone = await app.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken);

        (await ready.ShouldBeJsonAsync())["checks"]!["file-storage"]!.GetValue<string>().Should().Be("healthy");
        (await gone.ShouldBeJsonAsync(503))["checks"]!["file-storage"]!.GetValue<string>().Should().Be("unhealthy");
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true within 30 seconds.");
            }

            await Task.Delay(50);
        }
    }
}
