using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Files;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Files;

public sealed class StoringEncryptedFilesTests(KernelAppFixture fixture) : IClassFixture<KernelAppFixture>
{
    private KernelApp App => fixture.App;

    [Fact]
    public async Task A_file_comes_back_exactly_as_it_was_uploaded()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.Jpeg(300 * 1024 + 17);

        var upload = await App.UploadAsync(clerk, KernelTestModule.Images, content, "bruise.jpg");
        var stored = await upload.ShouldBeOkAsync<StoredFileResponse>(201);
        var response = await clerk.GetAsync($"/test/files/{stored.Id}", TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(content);
        stored.Should().BeEquivalentTo(new { FileName = "bruise.jpg", ContentType = "image/jpeg", Length = content.LongLength, Status = FileStatus.Available });
        stored.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(content)));
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        response.Headers.ETag!.Tag.Should().Be($"\"{stored.Sha256}\"");
        response.Headers.AcceptRanges.Should().Contain("bytes");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        response.Headers.GetValues("X-Content-Type-Options").Should().Contain("nosniff");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("sandbox", "a file opened directly can run nothing");
        response.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
    }

    [Fact]
    public async Task Every_download_is_audited_with_the_file_and_range()
    {
        var clerk = await App.ClerkAsync();
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, Samples.Png(), "scan.png");
        var (reader, readerUser) = await App.NewUserAsync();
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}");
        ranged.Headers.Range = new RangeHeaderValue(0, 99);

        await reader.GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken);
        await reader.SendAsync(ranged, TestContext.Current.CancellationToken);

        var downloads = (await App.AuditEntriesAsync("test.file.downloaded")).Where(e => e.ResourceId == id.ToString()).ToList();
        downloads.Should().HaveCount(2).And.OnlyContain(e => e.Actor.UserId == readerUser.Id);
        downloads.Select(e => e.Note).Should().BeEquivalentTo($"file {id}", $"file {id}, range bytes=0-99");
    }

    [Fact]
    public async Task A_browser_form_upload_keeps_the_name_and_serves_it_safely()
    {
        var clerk = await App.ClerkAsync();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(Samples.Jpeg());
        part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(new StringContent("ignored"), "caption");
        form.Add(part, "file", "Évidence ✓.jpg");

        var stored = await (await clerk.PostAsync($"/test/files/{KernelTestModule.Images}", form, TestContext.Current.CancellationToken)).ShouldBeOkAsync<StoredFileResponse>(201);
        var response = await clerk.GetAsync($"/test/files/{stored.Id}", TestContext.Current.CancellationToken);

        stored.FileName.Should().Be("Évidence ✓.jpg");
        response.Content.Headers.GetValues("Content-Disposition").Single()
            .Should().Be("attachment; filename=\"_vidence _.jpg\"; filename*=UTF-8''%C3%89vidence%20%E2%9C%93.jpg");
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\amina\\statement.txt", "statement.txt")]
    [InlineData("report\r\nX-Injected: yes.txt", "reportX-Injected_ yes.txt")]
    [InlineData("invoice\u202Etxt.exe", "invoicetxt.exe")]
    [InlineData("...", "file")]
    public async Task Hostile_names_are_made_harmless(string name, string expected)
    {
        var clerk = await App.ClerkAsync();
        var stored = await (await App.UploadAsync(clerk, KernelTestModule.Documents, Samples.Text("statement"), name)).ShouldBeOkAsync<StoredFileResponse>(201);
        var response = await clerk.GetAsync($"/test/files/{stored.Id}", TestContext.Current.CancellationToken);

        stored.FileName.Should().Be(expected);
        response.Headers.Contains("X-Injected").Should().BeFalse();
        response.Content.Headers.GetValues("Content-Disposition").Single().Should().NotContainAny("\r", "\n", "/", "\\");
        Directory.EnumerateFiles(App.App.FilesPath, "*", SearchOption.AllDirectories).Should().OnlyContain(f => !f.Contains("passwd"), "objects are keyed by id, never by name");
    }

    [Fact]
    public async Task Content_is_encrypted_at_rest()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.MarkedJpeg(200 * 1024);

        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, content, "marked.jpg");

        var stored = await File.ReadAllBytesAsync(ObjectPath(id), TestContext.Current.CancellationToken);
        Encoding.ASCII.GetString(stored).Should().NotContain(Samples.Marker);
        stored.LongLength.Should().Be(FileCipher.CiphertextLength(content.Length, 64 * 1024), "a header and one tag per 64 KiB chunk");
        stored.AsSpan(0, 8).ToArray().Should().Equal("HVNFILE1"u8.ToArray());
    }

    [Fact]
    public async Task Range_requests_serve_any_slice_for_playback()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.Mp4(200 * 1024 + 5);
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Media, content, "interview.mp4");

        await ShouldServeRangeAsync(id, new RangeHeaderValue(0, 99), content[..100], $"bytes 0-99/{content.Length}");
        await ShouldServeRangeAsync(id, new RangeHeaderValue(65500, 65600), content[65500..65601], $"bytes 65500-65600/{content.Length}");
        await ShouldServeRangeAsync(id, new RangeHeaderValue(null, 100), content[^100..], $"bytes {content.Length - 100}-{content.Length - 1}/{content.Length}");
        await ShouldServeRangeAsync(id, new RangeHeaderValue(150000, null), content[150000..], $"bytes 150000-{content.Length - 1}/{content.Length}");
    }

    [Fact]
    public async Task An_unsatisfiable_range_answers_416_and_conditional_requests_are_honoured()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.Mp4(100 * 1024);
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Media, content, "clip.mp4");
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content))}\"";

        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}") { Headers = { Range = new RangeHeaderValue(999_999, null) } };
        var unsatisfiable = await clerk.SendAsync(beyond, TestContext.Current.CancellationToken);
        using var unchanged = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}") { Headers = { IfNoneMatch = { new EntityTagHeaderValue(etag) } } };
        var notModified = await clerk.SendAsync(unchanged, TestContext.Current.CancellationToken);
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}")
        {
            Headers = { Range = new RangeHeaderValue(0, 9), IfRange = new RangeConditionHeaderValue("\"not-the-content\"") },
        };
        var whole = await clerk.SendAsync(stale, TestContext.Current.CancellationToken);

        unsatisfiable.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        unsatisfiable.Content.Headers.ContentRange!.ToString().Should().Be($"bytes */{content.Length}");
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified);
        whole.StatusCode.Should().Be(HttpStatusCode.OK, "If-Range with another entity tag asks for the whole, current file");
        (await whole.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(content);
    }

    [Fact]
    public async Task The_type_is_read_from_the_content_not_the_name()
    {
        var clerk = await App.ClerkAsync();
        var png = await (await App.UploadAsync(clerk, KernelTestModule.Images, Samples.Png(), "holiday.jpg")).ShouldBeOkAsync<StoredFileResponse>(201);
        var docx = await (await App.UploadAsync(clerk, KernelTestModule.Documents, Samples.Docx(), "statement.docx")).ShouldBeOkAsync<StoredFileResponse>(201);

        png.ContentType.Should().Be("image/png");
        docx.ContentType.Should().Be("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    }

    public static TheoryData<string, byte[], string, string?> Refused() => new()
    {
        { KernelTestModule.Images, Samples.Text("hello, not a picture"), "photo.jpg", "text" },
        { KernelTestModule.Images, Samples.Mp4(), "photo.jpg", "mp4" },
        { KernelTestModule.Media, Samples.Executable(), "video.mp4", null },
        { KernelTestModule.Documents, Samples.Zip(), "statement.docx", null },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Content_outside_the_uses_allowlist_is_refused_and_nothing_is_kept(string use, byte[] content, string name, string? detected)
    {
        var clerk = await App.ClerkAsync();
        var before = await CountsAsync();

        var response = await App.UploadAsync(clerk, use, content, name);

        var problem = await response.ShouldBeProblemAsync(415, "file_type_not_allowed");
        problem["detected_type"]?.GetValue<string>().Should().Be(detected);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task The_size_limit_of_the_use_is_enforced()
    {
        var clerk = await App.ClerkAsync();
        var before = await CountsAsync();

        var atLimit = await App.UploadAsync(clerk, KernelTestModule.Small, Samples.Text(1024 * 1024), "limit.txt");
        var overLimit = await App.UploadAsync(clerk, KernelTestModule.Small, Samples.Text((1024 * 1024) + 1), "over.txt");

        await atLimit.ShouldBeOkAsync<StoredFileResponse>(201);
        await overLimit.ShouldBeProblemAsync(413, "payload_too_large");
        (await CountsAsync()).Should().Be((before.Files + 1, before.Uploads, before.Objects + 1), "only the file within the limit was kept");
    }

    [Fact]
    public async Task An_empty_file_is_a_validation_error()
    {
        var clerk = await App.ClerkAsync();
        var response = await App.UploadAsync(clerk, KernelTestModule.Documents, [], "empty.txt");

        (await response.ShouldBeProblemAsync(400, "validation_failed"))["errors"]!["file"].Should().NotBeNull();
    }

    [Fact]
    public async Task A_deleted_or_unknown_file_is_not_found()
    {
        var clerk = await App.ClerkAsync();
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, Samples.Jpeg(), "temp.jpg");

        var deleted = await App.App.InScopeAsync(s => s.GetRequiredService<IFileStore>().DeleteAsync(id));

        deleted.Should().BeTrue();
        File.Exists(ObjectPath(id)).Should().BeFalse();
        await (await clerk.GetAsync($"/test/files/{id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
        await (await clerk.GetAsync($"/test/files/{Guid.NewGuid()}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task A_quarantined_file_is_never_served_and_the_quarantine_is_audited()
    {
        var clerk = await App.ClerkAsync();
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, Samples.Jpeg(), "later-flagged.jpg");

        await App.App.InScopeAsync(s => s.GetRequiredService<IFileStore>().QuarantineAsync(id, "matched a new signature"));

        await (await clerk.GetAsync($"/test/files/{id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(409, "file_quarantined");
        (await App.App.InScopeAsync(s => s.GetRequiredService<IFileStore>().OpenReadAsync(id))).Should().BeNull();
        (await App.AuditEntriesAsync("platform.file.quarantined")).Should().Contain(e => e.ResourceId == id.ToString() && e.Note == "matched a new signature");
    }

    [Fact]
    public async Task Altered_stored_content_is_never_served()
    {
        var clerk = await App.ClerkAsync();
        var content = Samples.Jpeg(200 * 1024);
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, content, "altered.jpg");
        var path = ObjectPath(id);
        var stored = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        stored[(int)FileCipher.ChunkOffset(1, 64 * 1024) + 10] ^= 0x01;
        await File.WriteAllBytesAsync(path, stored, TestContext.Current.CancellationToken);

        using var intact = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}") { Headers = { Range = new RangeHeaderValue(0, 1023) } };
        var firstChunk = await clerk.SendAsync(intact, TestContext.Current.CancellationToken);
        using var tampered = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}") { Headers = { Range = new RangeHeaderValue(70_000, 70_999) } };
        var secondChunk = await clerk.SendAsync(tampered, TestContext.Current.CancellationToken);
        var whole = () => clerk.GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken);

        (await firstChunk.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(content[..1024]);
        await secondChunk.ShouldBeProblemAsync(500, "file_integrity_failed");
        await whole.Should().ThrowAsync<HttpRequestException>("the response is cut before the altered chunk, never completed with it");
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("extended")]
    public async Task A_truncated_or_extended_object_is_never_served_whole(string damage)
    {
        var clerk = await App.ClerkAsync();
        var id = await App.UploadOkAsync(clerk, KernelTestModule.Images, Samples.Jpeg(150 * 1024), $"{damage}.jpg");
        var path = ObjectPath(id);
        var stored = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, damage == "truncated" ? stored[..^100] : [.. stored, .. stored[^100..]], TestContext.Current.CancellationToken);

        var whole = () => clerk.GetByteArrayAsync($"/test/files/{id}", TestContext.Current.CancellationToken);

        await whole.Should().ThrowAsync<HttpRequestException>();
    }

    private async Task ShouldServeRangeAsync(Guid id, RangeHeaderValue range, byte[] expected, string contentRange)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/test/files/{id}") { Headers = { Range = range } };
        var response = await (await App.ClerkAsync()).SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        response.Content.Headers.ContentRange!.ToString().Should().Be(contentRange);
        (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Should().Equal(expected);
    }

    private string ObjectPath(Guid id) => Path.Combine(App.App.FilesPath, "files", id.ToString("N"));

    private async Task<(long Files, long Uploads, int Objects)> CountsAsync() =>
        (await App.ScalarAsync<long>("SELECT count(*) FROM platform.files"),
         await App.ScalarAsync<long>("SELECT count(*) FROM platform.file_uploads"),
         Directory.Exists(App.App.FilesPath) ? Directory.EnumerateFiles(App.App.FilesPath, "*", SearchOption.AllDirectories).Count() : 0);
}
