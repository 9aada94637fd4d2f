using Haven.Platform.Data;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Server.Tests;

/// <summary>
/// A model change without its migration (or the reverse) fails here: for every DbContext of every module, the schema
/// EF would create is compared with the schema the SQL migrations built.
/// </summary>
public sealed class SchemaAgreementTests(HavenAppFixture fixture) : IClassFixture<HavenAppFixture>
{
    /// <summary>Tables written only through SQL (no EF entity), by schema.</summary>
    private static readonly Dictionary<string, HashSet<string>> SqlOnlyTables = new()
    {
        ["platform"] =
        [
            "schema_migrations",
            // Events, jobs and presence: read and written with SQL only (arrays, SKIP LOCKED, advisory locks, NOTIFY).
            "events", "event_sequence", "jobs", "periodic_jobs", "realtime_instances", "realtime_connections", "realtime_memberships",
        ],
    };

    public static TheoryData<string> Contexts()
    {
        var data = new TheoryData<string>();
        foreach (var name in new[] { "PlatformDbContext", "KintaraaDbContext", "LersDbContext", "PssDbContext", "NdasDbContext" })
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Every_registered_context_is_checked()
    {
        var registered = fixture.App.Services.GetServices<DbContextRegistration>().Select(r => r.ContextType.Name);

        registered.Should().BeEquivalentTo(Contexts().Select(row => (string)row.Data));
    }

    [Theory]
    [MemberData(nameof(Contexts))]
    public async Task Migrated_schema_matches_the_EF_model(string contextName)
    {
        var modelDatabase = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            await using var scope = fixture.App.Services.CreateAsyncScope();
            var registration = scope.ServiceProvider.GetServices<DbContextRegistration>().Single(r => r.ContextType.Name == contextName);
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            var schema = context.Model.GetDefaultSchema()!;

            var script = context.Database.GenerateCreateScript();
            await using (var connection = new NpgsqlConnection(modelDatabase))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                // A module not yet filled has an empty model: nothing to create, and its migrations must create no table.
                if (!string.IsNullOrWhiteSpace(script))
                {
                    await using var create = new NpgsqlCommand(script, connection);
                    await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
                }
            }

            var expected = await SchemaSnapshot.ReadAsync(modelDatabase, schema);
            var actual = await SchemaSnapshot.ReadAsync(fixture.App.ConnectionString, schema);
            var differences = SchemaSnapshot.Compare(expected, actual, schema, SqlOnlyTables.GetValueOrDefault(schema) ?? []);

            differences.Should().BeEmpty("the SQL migrations of schema '{0}' must build exactly what the EF model maps", schema);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(modelDatabase);
        }
    }
}
