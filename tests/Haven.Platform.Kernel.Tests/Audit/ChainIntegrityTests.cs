using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Audit;
using Haven.Platform.Data;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Kernel.Tests.Audit;

public sealed class ChainIntegrityTests
{
    [Fact]
    public async Task Concurrent_writers_make_one_chain_without_forks_or_gaps()
    {
        await using var app = await KernelApp.StartAsync();
        var clients = new List<HttpClient>();
        for (var i = 0; i < 8; i++)
        {
            clients.Add((await app.NewUserAsync()).Client);
        }

        var before = await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries");

        await Parallel.ForEachAsync(Enumerable.Range(0, 240), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await app.CreatePatientAsync(clients[i % clients.Count], $"patient {i}"));

        var total = before + 240;
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries WHERE action = 'test.patient.created'")).Should().Be(240);
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries")).Should().Be(total);
        (await app.ScalarAsync<long>("SELECT max(seq) FROM platform.audit_entries")).Should().Be(total, "numbers have no gaps");
        (await app.ScalarAsync<long>("SELECT count(DISTINCT prev_hash) FROM platform.audit_entries")).Should().Be(total, "no two entries share a predecessor");
        var verification = await app.VerifyAsync(new { to_seq = total });
        verification.Intact.Should().BeTrue();
        verification.Checked.Should().Be(total);
    }

    [Theory]
    [InlineData("UPDATE platform.audit_entries SET note = 'rewritten' WHERE seq = 1")]
    [InlineData("DELETE FROM platform.audit_entries WHERE seq = 1")]
    [InlineData("TRUNCATE platform.audit_entries")]
    [InlineData("UPDATE platform.audit_chain_head SET last_seq = 0")]
    [InlineData("DELETE FROM platform.audit_chain_head")]
    [InlineData("TRUNCATE platform.audit_chain_head")]
    public async Task The_database_refuses_to_change_or_remove_entries_even_for_a_superuser(string sql)
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 2);

        var act = () => app.ExecuteAsync(sql);

        (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
        (await app.VerifyAsync(new { to_seq = seqs[^1] })).Should().BeEquivalentTo(new { Intact = true, Checked = seqs[^1] });
    }

    [Fact]
    public async Task The_database_refuses_an_entry_that_does_not_extend_the_head()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 2);
        var first = await RecordAsync(app, seqs[0]);

        // A fork: a second entry claiming the first as its predecessor.
        var fork = first with { Seq = seqs[1], PrevHash = AuditCanonical.Hash(first) };
        var act = () => InsertRawAsync(app, fork, AuditCanonical.Hash(fork));

        (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.IntegrityConstraintViolation);
    }

    [Fact]
    public async Task Verify_names_an_entry_whose_content_was_altered()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);

        await app.TamperAsync($"UPDATE platform.audit_entries SET resource_id = 'someone-else' WHERE seq = {seqs[2]}");

        var result = await app.VerifyAsync();
        result.Intact.Should().BeFalse();
        result.Break.Should().BeEquivalentTo(new { Seq = seqs[2], Kind = "altered" });
        result.Checked.Should().Be(seqs[2] - 1, "the entries before it are still intact");
    }

    [Fact]
    public async Task Verify_names_an_altered_entry_even_when_its_hash_was_recomputed()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);
        var original = await RecordAsync(app, seqs[2]);
        var forged = original with { Note = "nothing happened" };

        await app.TamperAsync($"UPDATE platform.audit_entries SET note = 'nothing happened', hash = '\\x{Convert.ToHexStringLower(AuditCanonical.Hash(forged))}' WHERE seq = {seqs[2]}");

        (await app.VerifyAsync()).Break.Should().BeEquivalentTo(new { Seq = seqs[2], Kind = "altered" });
    }

    [Fact]
    public async Task Verify_names_a_removed_entry()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);

        await app.TamperAsync($"DELETE FROM platform.audit_entries WHERE seq = {seqs[2]}");

        (await app.VerifyAsync()).Break.Should().BeEquivalentTo(new { Seq = seqs[2], Kind = "removed" });
    }

    [Fact]
    public async Task Verify_names_a_removed_entry_when_the_rest_were_renumbered()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);

        await app.TamperAsync($"DELETE FROM platform.audit_entries WHERE seq = {seqs[2]}; UPDATE platform.audit_entries SET seq = seq - 1 WHERE seq > {seqs[2]}; " +
                              $"UPDATE platform.audit_chain_head SET last_seq = {seqs[3]}, last_hash = (SELECT hash FROM platform.audit_entries WHERE seq = {seqs[3]})");

        (await app.VerifyAsync()).Break.Should().BeEquivalentTo(new { Seq = seqs[2], Kind = "removed" });
    }

    [Fact]
    public async Task Verify_names_an_inserted_entry()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);
        var second = await RecordAsync(app, seqs[1]);
        var inserted = second with { Seq = seqs[2], Note = "a forged alibi", PrevHash = AuditCanonical.Hash(second) };

        await app.TamperAsync($"UPDATE platform.audit_entries SET seq = -seq WHERE seq >= {seqs[2]}; UPDATE platform.audit_entries SET seq = 1 - seq WHERE seq < 0");
        await app.TamperAsync(InsertSql(inserted, AuditCanonical.Hash(inserted)) +
                              $"; UPDATE platform.audit_chain_head SET last_seq = {seqs[4] + 1}, last_hash = (SELECT hash FROM platform.audit_entries WHERE seq = {seqs[4] + 1})");

        (await app.VerifyAsync()).Break.Should().BeEquivalentTo(new { Seq = seqs[2], Kind = "inserted" });
    }

    [Fact]
    public async Task Verify_notices_entries_removed_from_the_end()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);

        await app.TamperAsync($"DELETE FROM platform.audit_entries WHERE seq >= {seqs[3]}");

        (await app.VerifyAsync()).Break.Should().BeEquivalentTo(new { Seq = seqs[3], Kind = "removed" });
    }

    [Fact]
    public async Task A_consistently_rewritten_tail_is_caught_by_an_anchor_recorded_earlier()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 5);
        var last = seqs[^1];
        var anchor = (await app.VerifyAsync(new { to_seq = last })).LastHash!;
        var rewritten = await RecordAsync(app, last) with { ResourceId = "covered-up" };
        var hash = Convert.ToHexStringLower(AuditCanonical.Hash(rewritten));

        await app.TamperAsync($"UPDATE platform.audit_entries SET resource_id = 'covered-up', hash = '\\x{hash}' WHERE seq = {last}");

        // Nothing follows the rewritten entry yet (the verify call's own entry came after it); the chain alone cannot tell.
        (await app.VerifyAsync(new { to_seq = last })).Intact.Should().BeTrue();
        var anchored = await app.VerifyAsync(new { to_seq = last, anchors = new[] { $"{last}:{anchor}" } });
        anchored.Break.Should().BeEquivalentTo(new { Seq = last, Kind = "altered" });
    }

    [Fact]
    public async Task A_range_can_be_verified_on_its_own()
    {
        await using var app = await KernelApp.StartAsync();
        var seqs = await AppendAsync(app, 6);
        await app.TamperAsync($"UPDATE platform.audit_entries SET note = 'x' WHERE seq = {seqs[1]}");

        (await app.VerifyAsync(new { from_seq = seqs[2], to_seq = seqs[5] })).Should().BeEquivalentTo(new { Intact = true, FromSeq = seqs[2], ToSeq = seqs[5], Checked = 4L });
        (await app.VerifyAsync(new { from_seq = 1, to_seq = seqs[5] })).Break!.Seq.Should().Be(seqs[1]);
    }

    [Fact]
    public void The_canonical_form_is_the_documented_one()
    {
        var record = new AuditRecord(
            Seq: 42,
            OccurredAt: new DateTime(2026, 11, 21, 9, 30, 15, DateTimeKind.Utc).AddTicks(1234560),
            ActorType: "user",
            ActorId: Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ActorName: null,
            SessionId: Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
            ActorRoles: ["pss.staff@3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
            TenantId: Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
            ClientAddress: "203.0.113.7",
            UserAgent: "Mozilla/5.0 \"Haven\"",
            RequestId: "4bf92f3577b34da6a3ce929d0e0e4736",
            Action: "pss.medical_profile.updated",
            ResourceType: "medical_profile",
            ResourceId: "c56a4180-65aa-42ec-a945-5fd21dec0538",
            Note: "Ré-evaluated\nafter visit",
            Changes: [new AuditChange("status", "draft", "final", false), new AuditChange("diagnosis", null, null, true)],
            PrevHash: Convert.FromHexString("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));

        var canonical = Encoding.UTF8.GetString(AuditCanonical.Serialize(record));

        // The same text appears in docs/audit-export.md; change both together or not at all.
        canonical.Should().Be("""
            {"action":"pss.medical_profile.updated","actor_id":"0f8fad5b-d9cb-469f-a165-70867728950e","actor_name":null,
            "actor_roles":["pss.staff@3f2504e0-4f89-11d3-9a0c-0305e82c3301"],"actor_type":"user",
            "changes":[{"field":"status","new":"final","old":"draft"},{"field":"diagnosis","redacted":true}],
            "client_address":"203.0.113.7","note":"Ré-evaluated\nafter visit","occurred_at":"2026-11-21T09:30:15.123456Z",
            "prev_hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","request_id":"4bf92f3577b34da6a3ce929d0e0e4736",
            "resource_id":"c56a4180-65aa-42ec-a945-5fd21dec0538","resource_type":"medical_profile","seq":42,
            "session_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","tenant_id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "user_agent":"Mozilla/5.0 \"Haven\"","v":1}
            """.ReplaceLineEndings(""));
        Convert.ToHexStringLower(AuditCanonical.Hash(record)).Should().Be("b0407d2799dba0a463d0af626e2fa7dfb32dfe94eb1a12780eb25e36aaacb084")
            .And.Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
    }

    /// <summary>
    /// Appends <paramref name="count"/> entries ("entry 1", "entry 2", ...) and returns their numbers. The platform admin
    /// the tests read and verify with signs in first, so its own entries (its account, second factor and role) come
    /// before these and never between them.
    /// </summary>
    internal static async Task<IReadOnlyList<long>> AppendAsync(KernelApp app, int count)
    {
        await app.PlatformAdminAsync();
        return await app.App.InScopeAsync<IReadOnlyList<long>>(async services =>
        {
            var audit = services.GetRequiredService<IAuditTrail>();
            var db = services.GetRequiredService<PlatformDbContext>();
            var seqs = new List<long>();
            for (var i = 1; i <= count; i++)
            {
                await audit.AppendAsync(new AuditEvent("test.thing.happened", "thing", $"thing-{i}") { Actor = AuditActor.System("test.seeder"), Note = $"entry {i}" });
                seqs.Add(await db.Set<AuditEntry>().MaxAsync(e => e.Seq));
            }

            return seqs;
        });
    }

    internal static Task<AuditRecord> RecordAsync(KernelApp app, long seq) => app.App.InScopeAsync(async services =>
        (await services.GetRequiredService<PlatformDbContext>().Set<AuditEntry>().AsNoTracking().SingleAsync(e => e.Seq == seq)).ToRecord());

    private static Task InsertRawAsync(KernelApp app, AuditRecord record, byte[] hash) => app.ExecuteAsync(InsertSql(record, hash));

    private static string InsertSql(AuditRecord r, byte[] hash) =>
        "INSERT INTO platform.audit_entries (seq, occurred_at, actor_type, actor_id, actor_name, session_id, actor_roles, tenant_id, client_address, " +
        "user_agent, request_id, action, resource_type, resource_id, note, changes, prev_hash, hash) VALUES (" +
        $"{r.Seq}, '{AuditCanonical.FormatTime(r.OccurredAt)}', '{r.ActorType}', NULL, {Literal(r.ActorName)}, NULL, '{{}}', NULL, NULL, NULL, NULL, " +
        $"'{r.Action}', '{r.ResourceType}', {Literal(r.ResourceId)}, {Literal(r.Note)}, '{AuditCanonical.SerializeChanges(r.Changes)}', " +
        $"'\\x{Convert.ToHexStringLower(r.PrevHash)}', '\\x{Convert.ToHexStringLower(hash)}')";

    private static string Literal(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
