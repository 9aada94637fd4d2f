using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Haven.Platform.Audit;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;

namespace Haven.Platform.Kernel.Tests.Audit;

public sealed class VerifyingAndExportingTests
{
    [Fact]
    public async Task An_export_verifies_on_its_own_and_is_itself_audited()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await ChainIntegrityTests.AppendAsync(app, 5);
        var exportEntry = seqs[^1] + 1;

        var response = await (await app.PlatformAdminAsync()).GetAsync("/api/platform/audit/export", TestContext.Current.CancellationToken);

        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-ndjson");
        response.Content.Headers.ContentDisposition!.FileNameStar.Should().Be($"haven-audit-1-{exportEntry}.jsonl");
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount((int)exportEntry + 1, "a header, every entry, and the export's own entry, written before a byte left");
        JsonNode.Parse(lines[0])!["format"]!.GetValue<string>().Should().Be("haven-audit-export");
        var verification = await AuditExport.VerifyAsync(new MemoryStream(bytes), cancellationToken: TestContext.Current.CancellationToken);
        verification.Should().BeEquivalentTo(new { Intact = true, FromSeq = 1L, ToSeq = exportEntry, Checked = exportEntry });
        (await app.AuditEntriesAsync("platform.audit.exported")).Should().ContainSingle().Which.Seq.Should().Be(exportEntry);
        verification.LastHash.Should().Be((await app.VerifyAsync(new { to_seq = exportEntry })).LastHash, "the file and the database agree");
    }

    /// <summary>How the export is tampered with, which of the test's five entries (0-based) is then the first broken one, and how.</summary>
    public static TheoryData<string, int, string> Tampering() => new()
    {
        { "alter", 2, "altered" },
        { "delete", 2, "removed" },
        { "swap", 2, "removed" },
        { "truncate", 4, "removed" },
        { "insert", 2, "inserted" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task A_tampered_export_names_the_first_broken_entry(string tampering, int entry, string kind)
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await ChainIntegrityTests.AppendAsync(app, 5);
        var lines = (await ExportAsync(app)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

        Tamper(lines, tampering, seqs);

        var verification = await AuditExport.VerifyAsync(Stream(lines), cancellationToken: TestContext.Current.CancellationToken);
        verification.Intact.Should().BeFalse();
        verification.Break.Should().BeEquivalentTo(new { Seq = seqs[entry], Kind = kind });
    }

    [Fact]
    public async Task The_verifier_command_checks_a_file_without_a_database()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await ChainIntegrityTests.AppendAsync(app, 4);
        var lines = (await ExportAsync(app)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var directory = Directory.CreateTempSubdirectory("haven-audit-cli-");
        var intact = Path.Combine(directory.FullName, "intact.jsonl");
        var broken = Path.Combine(directory.FullName, "broken.jsonl");
        await File.WriteAllLinesAsync(intact, lines, TestContext.Current.CancellationToken);
        Tamper(lines, "alter", seqs);
        await File.WriteAllLinesAsync(broken, lines, TestContext.Current.CancellationToken);

        // No connection string at all: the command must not need one.
        var good = await HavenProcess.RunAsync(directory.FullName, "audit", "verify-export", intact);
        var bad = await HavenProcess.RunAsync(directory.FullName, "audit", "verify-export", broken);

        good.ExitCode.Should().Be(0, good.Output);
        good.Output.Should().Contain($"Intact: entries 1 to {seqs[^1] + 1}", "the export's own entry is the last");
        bad.ExitCode.Should().Be(1, bad.Output);
        bad.Output.Should().Contain($"BROKEN at entry {seqs[2]} (altered)");
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_verify_command_walks_the_database_chain()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await ChainIntegrityTests.AppendAsync(app, 4);
        var directory = Directory.CreateTempSubdirectory("haven-audit-cli-");
        var database = $"--ConnectionStrings:Haven={app.DatabaseConnectionString}";
        const string development = "--environment=Development";

        var good = await HavenProcess.RunAsync(directory.FullName, "audit", "verify", development, database);
        await app.TamperAsync($"UPDATE platform.audit_entries SET action = 'test.thing.undone' WHERE seq = {seqs[1]}");
        var bad = await HavenProcess.RunAsync(directory.FullName, "audit", "verify", development, database);
        var range = await HavenProcess.RunAsync(directory.FullName, "audit", "verify", "--from", seqs[2].ToString(System.Globalization.CultureInfo.InvariantCulture), development, database);

        good.ExitCode.Should().Be(0, good.Output);
        good.Output.Should().Contain($"Intact: entries 1 to {seqs[^1]} ({seqs[^1]} checked)");
        bad.ExitCode.Should().Be(1, bad.Output);
        bad.Output.Should().Contain($"BROKEN at entry {seqs[1]} (altered)");
        range.ExitCode.Should().Be(0, range.Output);
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_third_party_verifies_an_export_with_the_standalone_python_script()
    {
        Assert.SkipWhen(FindOnPath("python3") is null, "python3 is not installed on this machine");
        await using var app = await KernelApp.StartAsync();
        var seqs = await ChainIntegrityTests.AppendAsync(app, 4);
        await app.CreatePatientAsync(await app.ClerkAsync(), "Émilie \"Ngozi\" O'Brien", diagnosis: "secret", notes: "line one\nline two\t✓");
        var lines = (await ExportAsync(app)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var directory = Directory.CreateTempSubdirectory("haven-audit-py-");
        var intact = Path.Combine(directory.FullName, "intact.jsonl");
        var broken = Path.Combine(directory.FullName, "broken.jsonl");
        await File.WriteAllLinesAsync(intact, lines, TestContext.Current.CancellationToken);
        await using var file = File.OpenRead(intact);
        var exported = await AuditExport.VerifyAsync(file, cancellationToken: TestContext.Current.CancellationToken);
        Tamper(lines, "insert", seqs);
        await File.WriteAllLinesAsync(broken, lines, TestContext.Current.CancellationToken);

        var good = await RunAsync("python3", Path.Combine(Repository.Root, "scripts", "verify-audit-export.py"), intact, "--anchor", $"{exported.ToSeq}:{exported.LastHash}");
        var bad = await RunAsync("python3", Path.Combine(Repository.Root, "scripts", "verify-audit-export.py"), broken);

        good.ExitCode.Should().Be(0, good.Output);
        good.Output.Should().Contain($"Last hash: {exported.LastHash}", "an independent implementation computes the same hashes");
        bad.ExitCode.Should().Be(1, bad.Output);
        bad.Output.Should().Contain($"BROKEN at entry {seqs[2]} (inserted)");
        directory.Delete(recursive: true);
    }

    private static async Task<string> ExportAsync(KernelApp app) =>
        await (await app.PlatformAdminAsync()).GetStringAsync("/api/platform/audit/export", TestContext.Current.CancellationToken);

    /// <summary>
    /// Edits export lines (index 0 is the header, index n is entry n) the way a forger might, at the test's third
    /// entry (<paramref name="seqs"/>[2]; the truncation at its fifth).
    /// </summary>
    private static void Tamper(List<string> lines, string how, IReadOnlyList<long> seqs)
    {
        var at = (int)seqs[2];
        switch (how)
        {
            case "alter":
                lines[at] = lines[at].Replace("\"note\":\"entry 3\"", "\"note\":\"entry three\"", StringComparison.Ordinal);
                break;
            case "delete":
                lines.RemoveAt(at);
                break;
            case "swap":
                (lines[at], lines[at + 1]) = (lines[at + 1], lines[at]);
                break;
            case "truncate":
                lines.RemoveRange((int)seqs[4], lines.Count - (int)seqs[4]);
                break;
            case "insert":
                // A forged entry linked to the one before it, with the rest renumbered after it.
                var forged = JsonNode.Parse(lines[at])!.AsObject();
                forged["note"] = "forged";
                forged["prev_hash"] = Hash(lines[at - 1]);
                var forgedLine = Canonical(forged);
                for (var i = at; i < lines.Count; i++)
                {
                    var entry = JsonNode.Parse(lines[i])!.AsObject();
                    entry["seq"] = entry["seq"]!.GetValue<long>() + 1;
                    lines[i] = Canonical(entry);
                }

                lines.Insert(at, forgedLine);
                break;
        }
    }

    private static string Hash(string line) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(line)));

    private static string Canonical(JsonObject entry) =>
        Encoding.UTF8.GetString(AuditCanonical.Serialize(new AuditRecord(
            entry["seq"]!.GetValue<long>(), DateTime.Parse(entry["occurred_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
            entry["actor_type"]!.GetValue<string>(), null, entry["actor_name"]?.GetValue<string>(), null, [], null, null, null, null,
            entry["action"]!.GetValue<string>(), entry["resource_type"]!.GetValue<string>(), entry["resource_id"]?.GetValue<string>(),
            entry["note"]?.GetValue<string>(), [], Convert.FromHexString(entry["prev_hash"]!.GetValue<string>()))));

    private static MemoryStream Stream(IEnumerable<string> lines) => new(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(p => Path.Combine(p, program)).FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
