using Haven.Platform.Files;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Files;

public sealed class ScanningUploadsWithClamAvTests
{
    [Fact]
    public async Task Clamd_quarantines_what_it_finds_and_passes_the_rest()
    {
        Assert.SkipUnless(ClamD.IsInstalled, "clamd is not installed (./test.sh installs clamav-daemon)");
        await using var clamd = await ClamD.StartAsync();
        await using var app = await KernelApp.StartAsync(o => Configure(o, clamd));
        var clerk = await app.ClerkAsync();

        var infected = await (await app.UploadAsync(clerk, KernelTestModule.Media, Samples.Text($"statement\n{ClamD.Signature}\n"), "statement.txt"))
            .ShouldBeOkAsync<StoredFileResponse>(201);
        var clean = await (await app.UploadAsync(clerk, KernelTestModule.Media, Samples.Mp4(3 * 1024 * 1024), "clip.mp4")).ShouldBeOkAsync<StoredFileResponse>(201);

        infected.Status.Should().Be(FileStatus.Quarantined);
        (await app.App.InScopeAsync(s => s.GetRequiredService<IFileStore>().FindAsync(infected.Id)))!.StatusReason.Should().Be("Haven.Test.Marker.UNOFFICIAL FOUND");
        await (await clerk.GetAsync($"/test/files/{infected.Id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(409, "file_quarantined");
        clean.Status.Should().Be(FileStatus.Available);
        (await clerk.GetByteArrayAsync($"/test/files/{clean.Id}", TestContext.Current.CancellationToken)).Should().HaveCount(3 * 1024 * 1024);
        (await (await app.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken)).ShouldBeJsonAsync())["checks"]!["file-scanner"]!
            .GetValue<string>().Should().Be("healthy");
    }

    [Fact]
    public async Task Without_clamd_uploads_are_refused_rather_than_kept_unscanned()
    {
        Assert.SkipUnless(ClamD.IsInstalled, "clamd is not installed (./test.sh installs clamav-daemon)");
        var clamd = await ClamD.StartAsync();
        await using var app = await KernelApp.StartAsync(o => Configure(o, clamd));
        await clamd.DisposeAsync();

        var response = await app.UploadAsync(await app.ClerkAsync(), KernelTestModule.Images, Samples.Jpeg(), "photo.jpg");

        await response.ShouldBeProblemAsync(503, "scan_unavailable");
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.files")).Should().Be(0);
        (await (await app.App.CreateClient().GetAsync("/health/ready", TestContext.Current.CancellationToken)).ShouldBeJsonAsync(503))["checks"]!["file-scanner"]!
            .GetValue<string>().Should().Be("unhealthy");
    }

    private static void Configure(HavenTestAppOptions options, ClamD clamd)
    {
        foreach (var (key, value) in clamd.Settings)
        {
            options.Settings[key] = value;
        }
    }
}
