using System.Net;
using System.Net.Sockets;
using Haven.Testing;
using Npgsql;

namespace Haven.Server.Tests;

/// <summary>
/// The run command's promises, checked on the real executable: with no connection string it creates and starts a
/// private PostgreSQL under ./.data, migrates and serves; a second run on the same address says so and leaves the first
/// alone; Ctrl-C stops the app and the cluster; the next run reuses the data.
/// </summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("haven-run-").FullName;

    [Fact]
    public async Task Serves_on_a_private_cluster_stops_it_on_ctrl_c_and_reuses_its_data()
    {
        var httpPort = FreePort();
        var pgPort = FreePort();
        string[] arguments = ["--urls", $"http://127.0.0.1:{httpPort}", $"--Haven:LocalDatabase:Port={pgPort}"];
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);

        await using (var first = HavenProcess.Start(_directory, arguments))
        {
            await first.WaitForOutputAsync("Haven is serving", TimeSpan.FromMinutes(2));
            using var http = new HttpClient();
            (await http.GetAsync($"http://127.0.0.1:{httpPort}/health/ready", TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);
            Directory.Exists(Path.Combine(_directory, ".data", "pg")).Should().BeTrue("the cluster lives under ./.data");
            await ExecuteAsync(pgPort, "INSERT INTO platform.tenants VALUES (gen_random_uuid(), 'pss', 'training_programme', 'Kept across runs', true, now())");

            var (taken, takenOutput) = await HavenProcess.RunAsync(_directory, arguments);
            taken.Should().Be(1, "a second run on the same address gives up");
            takenOutput.Should().Contain("Is Haven already running?").And.NotContain("Unhandled exception");
            (await http.GetAsync($"http://127.0.0.1:{httpPort}/health/ready", TestContext.Current.CancellationToken)).StatusCode
                .Should().Be(HttpStatusCode.OK, "the failed second run leaves the first one and its database alone");

            (await first.InterruptAsync(TimeSpan.FromMinutes(1))).Should().Be(0, first.Output);
            first.Output.Should().Contain("Stopping private PostgreSQL");
        }

        IsListening(pgPort).Should().BeFalse("Ctrl-C stops the private cluster too");

        await using var second = HavenProcess.Start(_directory, arguments);
        await second.WaitForOutputAsync("Haven is serving", TimeSpan.FromMinutes(2));
        (await ScalarAsync(pgPort, "SELECT count(*) FROM platform.tenants WHERE name = 'Kept across runs'")).Should().Be(1L);
        second.Output.Should().NotContain("Creating private PostgreSQL cluster");
        (await second.InterruptAsync(TimeSpan.FromMinutes(1))).Should().Be(0);
    }

    [Fact]
    public async Task Help_lists_the_admin_commands()
    {
        var (exitCode, output) = await HavenProcess.RunAsync(_directory, "--help");

        exitCode.Should().Be(0);
        output.Should().Contain("serve").And.Contain("migrate").And.Contain("seed-demo").And.Contain("check-config").And.Contain("schema-script");
    }

    [Fact]
    public async Task Migrate_applies_every_schema_to_the_configured_database()
    {
        var database = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            var (exitCode, output) = await HavenProcess.RunAsync(_directory, "migrate", $"--ConnectionStrings:Haven={database}");

            exitCode.Should().Be(0, output);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("SELECT array_agg(DISTINCT stream ORDER BY stream) FROM platform.schema_migrations", connection);
            ((string[])(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).Should().Equal("kintaraa", "lers", "ndas", "platform", "pss");
            Directory.Exists(Path.Combine(_directory, ".data")).Should().BeFalse("a configured database means no private cluster");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Check_config_names_what_Production_lacks()
    {
        var (exitCode, output) = await HavenProcess.RunAsync(_directory, "check-config");

        exitCode.Should().Be(1);
        output.Should().Contain("ConnectionStrings:Haven is missing");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task ExecuteAsync(int port, string sql) => await ScalarAsync(port, sql);

    private async Task<object?> ScalarAsync(int port, string sql)
    {
        var password = (await File.ReadAllTextAsync(Path.Combine(_directory, ".data", "pg-password"))).Trim();
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=haven;Password={password};Database=haven;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
