using System.Security.Cryptography;
using System.Text;
using Haven.Platform.Data;
using Haven.Platform.Hosting;
using Haven.Platform.Modules;
using Haven.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Haven.Testing;

/// <summary>
/// The real PostgreSQL the tests run against. <c>HAVEN_TEST_PG</c> names a server (superuser connection string; the
/// test command starts one and sets it); without it a private cluster is started under the temp folder, as the run
/// command does. Every test app gets a database of its own, cloned from a template migrated once per schema version,
/// so tests never see each other's data and cloning costs a fraction of migrating.
/// </summary>
public static class TestPostgres
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _serverConnectionString;
    private static readonly Dictionary<string, string> Templates = [];

    public static async Task<string> ServerConnectionStringAsync()
    {
        if (_serverConnectionString is not null)
        {
            return _serverConnectionString;
        }

        await Gate.WaitAsync();
        try
        {
            if (_serverConnectionString is null)
            {
                var configured = Environment.GetEnvironmentVariable("HAVEN_TEST_PG");
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    _serverConnectionString = configured;
                }
                else
                {
                    var root = Path.Combine(Path.GetTempPath(), "haven-test-pg");
                    var port = int.TryParse(Environment.GetEnvironmentVariable("HAVEN_TEST_PG_PORT"), out var p) ? p : 54339;
                    // Left running for the next test process; the test command stops it at the end of the run.
                    var pg = await LocalPostgres.StartAsync(root, port, NullLogger.Instance, CancellationToken.None);
                    _serverConnectionString = pg.ConnectionString("postgres");
                }
            }

            return _serverConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Creates an empty database with every migration of the given modules applied, and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(IReadOnlyList<string>? modules = null)
    {
        var server = await ServerConnectionStringAsync();
        var catalog = new ModuleCatalog(KnownModules.All, new ConfigurationBuilder()
            .AddInMemoryCollection(modules is null ? [] : modules.Select((m, i) => new KeyValuePair<string, string?>($"Haven:Modules:{i}", m)))
            .Build());
        var template = await EnsureTemplateAsync(server, catalog);
        var name = "haven_t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return WithDatabase(server, name);
    }

    /// <summary>Creates an empty database with no schema at all (for migration tests).</summary>
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        var server = await ServerConnectionStringAsync();
        var name = "haven_e_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
        return WithDatabase(server, name);
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(await ServerConnectionStringAsync(), $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database, MaxPoolSize = 20 }.ConnectionString;

    private static async Task<string> EnsureTemplateAsync(string server, ModuleCatalog catalog)
    {
        var migrations = catalog.AllMigrations().ToList();
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join("|", migrations.Select(m => m.ToString() + ":" + m.Checksum)))))[..16];
        var name = "haven_tpl_" + fingerprint;

        await Gate.WaitAsync();
        try
        {
            if (Templates.TryGetValue(name, out var known))
            {
                return known;
            }

            // Several test processes may race to build the same template; a server-wide advisory lock picks one.
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(8675309)", connection))
            {
                await lockCommand.ExecuteNonQueryAsync();
            }

            try
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", connection);
                exists.Parameters.Add(new() { Value = name });
                if (await exists.ExecuteScalarAsync() is null)
                {
                    await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
                    var target = WithDatabase(server, name);
                    await using (var dataSource = NpgsqlDataSource.Create(target))
                    {
                        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
                        await runner.ApplyAsync(migrations, CancellationToken.None);
                    }

                    NpgsqlConnection.ClearAllPools();
                    await ExecuteAsync(server, $"ALTER DATABASE \"{name}\" WITH is_template = true");
                }
            }
            finally
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(8675309)", connection);
                await unlock.ExecuteNonQueryAsync();
            }

            Templates[name] = name;
            return name;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
