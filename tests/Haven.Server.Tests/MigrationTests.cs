using Haven.Platform.Data;
using Haven.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Haven.Server.Tests;

public sealed class MigrationTests
{
    private static readonly SqlMigration[] Migrations =
    [
        new("probe", 1, "create", "CREATE SCHEMA probe; CREATE TABLE probe.items (id int PRIMARY KEY);"),
        new("probe", 2, "seed", "INSERT INTO probe.items VALUES (1), (2); SELECT pg_sleep(0.2);"),
    ];

    [Fact]
    public async Task Instances_starting_together_apply_each_migration_exactly_once()
    {
        var database = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            var runs = Enumerable.Range(0, 4).Select(async _ =>
            {
                await using var dataSource = NpgsqlDataSource.Create(database);
                return await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(Migrations, CancellationToken.None);
            });

            var applied = await Task.WhenAll(runs);

            applied.Sum(a => a.Count).Should().Be(2, "one instance applies both, the others find nothing to do");
            (await ScalarAsync(database, "SELECT count(*) FROM probe.items")).Should().Be(2L);
            (await ScalarAsync(database, "SELECT count(*) FROM platform.schema_migrations WHERE stream = 'probe'")).Should().Be(2L);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_failing_migration_leaves_no_trace_and_names_itself()
    {
        var database = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(database);
            var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
            SqlMigration[] broken = [Migrations[0], new("probe", 2, "broken", "INSERT INTO probe.items VALUES (1); INSERT INTO probe.nope VALUES (1);")];

            var apply = () => runner.ApplyAsync(broken, CancellationToken.None);

            (await apply.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("probe/0002_broken");
            (await ScalarAsync(database, "SELECT count(*) FROM probe.items")).Should().Be(0L, "the failed file's first statement rolled back");
            (await ScalarAsync(database, "SELECT max(version) FROM platform.schema_migrations WHERE stream = 'probe'")).Should().Be(1);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Editing_an_applied_migration_stops_the_start()
    {
        var database = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(database);
            var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
            await runner.ApplyAsync(Migrations, CancellationToken.None);
            SqlMigration[] edited = [Migrations[0], Migrations[1] with { Sql = "INSERT INTO probe.items VALUES (3);" }];

            var apply = () => runner.ApplyAsync(edited, CancellationToken.None);

            (await apply.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("probe/0002_seed").And.Contain("changed after it was applied");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public void Every_embedded_migration_file_is_well_named_and_versions_are_unique()
    {
        foreach (var module in Hosting.KnownModules.All)
        {
            var migrations = SqlMigration.LoadFrom(module.Assembly, module.Name);
            migrations.Should().NotBeEmpty("module {0} owns a schema", module.Name);
            migrations.Select(m => m.Version).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
            migrations[0].Version.Should().Be(1);
        }
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
