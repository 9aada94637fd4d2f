using System.CommandLine;
using Haven.Platform.Modules;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Audit;

/// <summary><c>audit verify</c>, <c>audit export</c> and <c>audit verify-export</c> (the last needs no database).</summary>
public static class AuditCommands
{
    public static Command Create(HostFactory hosts)
    {
        var audit = new Command("audit", "Check and export the tamper-evident audit trail.");
        audit.Subcommands.Add(Verify(hosts));
        audit.Subcommands.Add(Export(hosts));
        audit.Subcommands.Add(VerifyExport());
        return audit;
    }

    private static Command Verify(HostFactory hosts)
    {
        var from = new Option<long?>("--from") { Description = "First entry to check (default 1)." };
        var to = new Option<long?>("--to") { Description = "Last entry to check (default: the newest)." };
        var anchors = AnchorsOption();
        var command = new Command("verify", "Walk the hash chain in the database and name the first entry altered, removed or inserted. Exit code 1 if broken.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(anchors);
        command.SetAction(async (result, cancellationToken) =>
        {
            var parsed = ParseAnchors(result.GetValue(anchors));
            await using var host = await hosts([.. result.UnmatchedTokens], cancellationToken);
            var verification = await host.Services.GetRequiredService<AuditVerifier>()
                .VerifyAsync(result.GetValue(from), result.GetValue(to), parsed, cancellationToken);
            return Report(verification);
        });
        return command;
    }

    private static Command Export(HostFactory hosts)
    {
        var from = new Option<long?>("--from") { Description = "First entry (default 1)." };
        var to = new Option<long?>("--to") { Description = "Last entry (default: the newest)." };
        var output = new Option<FileInfo>("--output") { Description = "File to write (JSON Lines, docs/audit-export.md).", Required = true };
        var command = new Command("export", "Write a range of the chain to a file a third party can verify with 'audit verify-export'.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(output);
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var host = await hosts([.. result.UnmatchedTokens], cancellationToken);
            await host.Services.GetRequiredService<IAuditTrail>().AppendAsync(
                new AuditEvent("platform.audit.exported", "audit_chain", null) { Actor = AuditActor.System("cli.audit_export") }, cancellationToken);
            await using var reader = await AuditExport.OpenAsync(
                host.Services.GetRequiredService<NpgsqlDataSource>(), result.GetValue(from), result.GetValue(to), TimeProvider.System, cancellationToken);
            var file = result.GetValue(output)!;
            await using (var stream = file.Create())
            {
                await reader.WriteToAsync(stream, cancellationToken);
            }

            Console.WriteLine($"Wrote entries {reader.Header.FromSeq} to {reader.Header.ToSeq} to {file.FullName}.");
            Console.WriteLine($"Last hash: {reader.Header.LastHash ?? "(no entries)"}");
            return 0;
        });
        return command;
    }

    private static Command VerifyExport()
    {
        var file = new Argument<FileInfo>("file") { Description = "An export written by 'audit export' or GET /api/platform/audit/export." };
        var anchors = AnchorsOption();
        var command = new Command("verify-export", "Verify an audit export file on its own (no database, no keys). Exit code 1 if broken.");
        command.Arguments.Add(file);
        command.Options.Add(anchors);
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                await using var stream = result.GetValue(file)!.OpenRead();
                return Report(await AuditExport.VerifyAsync(stream, ParseAnchors(result.GetValue(anchors)), cancellationToken));
            }
            catch (Exception e) when (e is FormatException or IOException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"Not a readable audit export: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Option<string[]> AnchorsOption() => new("--anchor")
    {
        Description = "A hash recorded earlier outside the database, as <seq>:<hash>; repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static List<AuditAnchor> ParseAnchors(string[]? values) => [.. (values ?? []).Select(AuditAnchor.Parse)];

    private static int Report(AuditVerification result)
    {
        if (result.Intact)
        {
            Console.WriteLine($"Intact: entries {result.FromSeq} to {result.ToSeq} ({result.Checked} checked).");
            Console.WriteLine($"Last hash: {result.LastHash ?? "(no entries)"}  (keep it: pass --anchor {result.ToSeq}:{result.LastHash} next time)");
            return 0;
        }

        Console.WriteLine($"BROKEN at entry {result.Break!.Seq} ({result.Break.Kind}): {result.Break.Detail}");
        Console.WriteLine($"Entries {result.FromSeq} to {result.FromSeq + result.Checked - 1} are intact.");
        return 1;
    }
}
