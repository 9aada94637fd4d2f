using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Crypto;
using Haven.Platform.Identity;
using Haven.Platform.Kernel.Tests.Support;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Kernel.Tests.Crypto;

public sealed class EncryptingFieldsTests
{
    private static readonly string FieldsV1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string FieldsV2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string IndexV1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string IndexV2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Module_code_reads_and_writes_plaintext_while_the_database_holds_none()
    {
        await using var app = await KernelApp.StartAsync();
        var clerk = await app.ClerkAsync();

        var id = await app.CreatePatientAsync(clerk, "Fatuma Wanjiru", diagnosis: "HIV positive, on ARVs", idNumber: "ZX-998877", notes: "visible note");
        var view = await clerk.GetFromJsonAsync<KernelTestModule.PatientView>($"/test/patients/{id}", HttpAssertions.Json, TestContext.Current.CancellationToken);

        view.Should().BeEquivalentTo(new { Diagnosis = "HIV positive, on ARVs", IdNumber = "ZX-998877", Name = "Fatuma Wanjiru" });
        var diagnosis = await app.ScalarAsync<byte[]>("SELECT diagnosis FROM kernel_test.patients WHERE id = $1", id);
        diagnosis![0].Should().Be(FieldEncryption.EnvelopeVersion);
        FieldEncryption.KeyIdOf(diagnosis).Should().StartWith("dev-");
        var dump = await DumpAsync(app);
        dump.Should().Contain("Fatuma Wanjiru", "the dump is real and holds the unencrypted columns");
        dump.Should().NotContain("HIV").And.NotContain("ARVs").And.NotContain("998877");
    }

    [Fact]
    public async Task Equal_values_encrypt_differently_but_are_found_through_the_blind_index()
    {
        await using var app = await KernelApp.StartAsync();
        var clerk = await app.ClerkAsync();
        var first = await app.CreatePatientAsync(clerk, "Grace", diagnosis: "asthma", idNumber: "A 123-456");
        var second = await app.CreatePatientAsync(clerk, "Halima", diagnosis: "asthma", idNumber: "B 999-000");

        var found = await clerk.GetFromJsonAsync<List<KernelTestModule.PatientView>>("/test/patients?id_number=a123456", HttpAssertions.Json, TestContext.Current.CancellationToken);
        var none = await clerk.GetFromJsonAsync<List<KernelTestModule.PatientView>>("/test/patients?id_number=A123457", HttpAssertions.Json, TestContext.Current.CancellationToken);

        found.Should().ContainSingle().Which.Id.Should().Be(first);
        none.Should().BeEmpty();
        var ciphertexts = await TwoAsync(app, "diagnosis", first, second);
        ciphertexts.First.Should().NotEqual(ciphertexts.Second, "encryption is randomized");
        var index = await app.ScalarAsync<byte[]>("SELECT id_number_blind_index FROM kernel_test.patients WHERE id = $1", first);
        index.Should().HaveCount(32);
        Encoding.UTF8.GetString(index!).Should().NotContain("123");
    }

    [Fact]
    public async Task A_value_moved_to_another_column_does_not_decrypt()
    {
        await using var app = await KernelApp.StartAsync();
        var clerk = await app.ClerkAsync();
        var id = await app.CreatePatientAsync(clerk, "Imani", diagnosis: "depression", idNumber: "C-1");

        await app.ExecuteAsync("UPDATE kernel_test.patients SET id_number = diagnosis WHERE id = $1", id);

        await (await clerk.GetAsync($"/test/patients/{id}", TestContext.Current.CancellationToken)).ShouldBeProblemAsync(500, "internal_error");
    }

    [Fact]
    public async Task Rotating_the_field_key_keeps_old_values_readable_and_the_rotate_pass_retires_the_old_key()
    {
        await using var first = await KernelApp.StartAsync(o => Keys(o, fields: [("v1", FieldsV1)], index: [("i1", IndexV1)]));
        var clerk = await first.ClerkAsync();
        // The kernel's own sealed columns rotate with the modules': a staff member's TOTP secret is one.
        var staff = await first.App.CreateUserAsync(HavenRoles.Ndas.Clinician);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await first.CreatePatientAsync(clerk, $"patient {i}", diagnosis: $"diagnosis {i}", idNumber: $"ID-{i}"));
        }

        await using var rotated = await KernelApp.StartAsync(o =>
        {
            Keys(o, fields: [("v2", FieldsV2), ("v1", FieldsV1)], index: [("i1", IndexV1)]);
            o.Settings["ConnectionStrings:Haven"] = first.DatabaseConnectionString;
        });
        var client = await rotated.ClerkAsync();
        (await View(client, ids[0])).Diagnosis.Should().Be("diagnosis 0", "values under v1 still decrypt");
        (await client.PutAsJsonAsync($"/test/patients/{ids[0]}", new { diagnosis = "revised" }, HttpAssertions.Json, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await KeyIdsAsync(rotated)).Should().BeEquivalentTo(["v2", "v1", "v1", "v1", "v1", "v1"], "a value written after the switch uses the new key");

        var results = await rotated.App.InScopeAsync(s => s.GetRequiredService<FieldKeyRotation>().RotateAsync(reindex: false, CancellationToken.None));

        results.Where(r => r.Table == "kernel_test.patients").Should().BeEquivalentTo(new[]
        {
            new FieldRotationResult("kernel_test.patients", "diagnosis", 2, 0, 0),
            new FieldRotationResult("kernel_test.patients", "id_number", 3, 0, 0),
        });
        results.Should().ContainEquivalentOf(new FieldRotationResult("platform.mfa_authenticators", "secret", 1, 0, 0));
        (await KeyIdsAsync(rotated)).Should().OnlyContain(k => k == "v2");
        await using var retired = await KernelApp.StartAsync(o =>
        {
            Keys(o, fields: [("v2", FieldsV2)], index: [("i1", IndexV1)]);
            o.Settings["ConnectionStrings:Haven"] = first.DatabaseConnectionString;
        });
        var reader = await retired.ClerkAsync();
        (await View(reader, ids[1])).Should().BeEquivalentTo(new { Diagnosis = "diagnosis 1", IdNumber = "ID-1" });
        (await View(reader, ids[0])).Diagnosis.Should().Be("revised");
        (await retired.App.LoginAsync(staff)).AccessToken.Should().NotBeNullOrEmpty("the TOTP secret was re-encrypted under v2 before v1 was retired");
    }

    [Fact]
    public async Task Rotating_the_index_key_needs_a_reindex_before_searches_find_old_rows()
    {
        await using var first = await KernelApp.StartAsync(o => Keys(o, fields: [("v1", FieldsV1)], index: [("i1", IndexV1)]));
        var id = await first.CreatePatientAsync(await first.ClerkAsync(), "Jamila", idNumber: "K-777");
        await using var rotated = await KernelApp.StartAsync(o =>
        {
            Keys(o, fields: [("v1", FieldsV1)], index: [("i2", IndexV2)]);
            o.Settings["ConnectionStrings:Haven"] = first.DatabaseConnectionString;
        });
        var client = await rotated.ClerkAsync();

        var before = await client.GetFromJsonAsync<List<KernelTestModule.PatientView>>("/test/patients?id_number=K777", HttpAssertions.Json, TestContext.Current.CancellationToken);
        var results = await rotated.App.InScopeAsync(s => s.GetRequiredService<FieldKeyRotation>().RotateAsync(reindex: true, CancellationToken.None));
        var after = await client.GetFromJsonAsync<List<KernelTestModule.PatientView>>("/test/patients?id_number=K777", HttpAssertions.Json, TestContext.Current.CancellationToken);

        before.Should().BeEmpty();
        results.Single(r => r.Table == "kernel_test.patients" && r.Column == "id_number").ReIndexed.Should().Be(1);
        after.Should().ContainSingle().Which.Id.Should().Be(id);
    }

    [Fact]
    public async Task The_test_schema_agrees_with_the_model_encrypted_columns_are_bytea_with_an_indexed_blind_index()
    {
        await using var app = await KernelApp.StartAsync();
        var empty = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            var script = await app.App.InScopeAsync(s => Task.FromResult(s.GetRequiredService<KernelTestDbContext>().Database.GenerateCreateScript()));
            await using (var connection = new NpgsqlConnection(empty))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var create = new NpgsqlCommand(script, connection);
                await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            var model = await SchemaSnapshot.ReadAsync(empty, "kernel_test");
            var migrated = await SchemaSnapshot.ReadAsync(app.DatabaseConnectionString, "kernel_test");

            SchemaSnapshot.Compare(model, migrated, "kernel_test", new HashSet<string>()).Should().BeEmpty();
            model.Tables["patients"].Should().Contain("column diagnosis bytea null").And.Contain("column id_number_blind_index bytea null");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(empty);
        }
    }

    private static async Task<KernelTestModule.PatientView> View(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<KernelTestModule.PatientView>($"/test/patients/{id}", HttpAssertions.Json, TestContext.Current.CancellationToken))!;

    private static async Task<List<string>> KeyIdsAsync(KernelApp app)
    {
        var ids = new List<string>();
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT diagnosis, id_number FROM kernel_test.patients", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < 2; i++)
            {
                if (!reader.IsDBNull(i))
                {
                    ids.Add(FieldEncryption.KeyIdOf(reader.GetFieldValue<byte[]>(i)));
                }
            }
        }

        return ids;
    }

    private static async Task<(byte[] First, byte[] Second)> TwoAsync(KernelApp app, string column, Guid first, Guid second) =>
        ((await app.ScalarAsync<byte[]>($"SELECT {column} FROM kernel_test.patients WHERE id = $1", first))!,
         (await app.ScalarAsync<byte[]>($"SELECT {column} FROM kernel_test.patients WHERE id = $1", second))!);

    private static void Keys(HavenTestAppOptions options, (string Id, string Material)[] fields, (string Id, string Material)[] index)
    {
        foreach (var (ring, versions) in new[] { ("fields", fields), ("field-index", index) })
        {
            options.Settings[$"Haven:Keys:{ring}:Current"] = versions[0].Id;
            foreach (var (id, material) in versions)
            {
                options.Settings[$"Haven:Keys:{ring}:Versions:{id}"] = material;
            }
        }
    }

    /// <summary>Everything the database holds, as pg_dump writes it for a backup.</summary>
    private static async Task<string> DumpAsync(KernelApp app)
    {
        var pgDump = Directory.EnumerateFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal).LastOrDefault()
                     ?? throw new InvalidOperationException("pg_dump was not found under /usr/lib/postgresql.");
        var connection = new NpgsqlConnectionStringBuilder(app.DatabaseConnectionString);
        var start = new ProcessStartInfo(pgDump) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-h", connection.Host!, "-p", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database! })
        {
            start.ArgumentList.Add(argument);
        }

        if (!string.IsNullOrEmpty(connection.Password))
        {
            start.Environment["PGPASSWORD"] = connection.Password;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, await error);
        return await output;
    }
}
