using Haven.Server.Cli;
using Haven.Testing;
using Npgsql;

namespace Haven.Server.Tests;

public sealed class CreateAdminCommandTests
{
    [Fact]
    public async Task Create_admin_creates_a_platform_admin_who_can_sign_in()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var email = $"root-{Guid.NewGuid():N}@test.haven";

            var exit = await HavenCli.RunAsync(["create-admin", "--email", email, "--password", "obsidian river compass 5", "--environment", "Development",
                $"--ConnectionStrings:Haven={database}", $"--Haven:Keys:DevelopmentMaster={Convert.ToBase64String(new byte[32])}"]);

            exit.Should().Be(0);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var query = new NpgsqlCommand(
                "SELECT g.role FROM platform.users u JOIN platform.role_grants g ON g.user_id = u.id WHERE u.email = $1", connection);
            query.Parameters.Add(new() { Value = email });
            (await query.ExecuteScalarAsync(TestContext.Current.CancellationToken)).Should().Be("platform.admin");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Create_admin_refuses_a_role_that_does_not_administer_users()
    {
        var exit = await HavenCli.RunAsync(["create-admin", "--email", "x@test.haven", "--role", "lers.io"]);

        exit.Should().Be(2);
    }

    [Fact]
    public async Task Create_admin_explains_itself()
    {
        (await HavenCli.RunAsync(["create-admin", "--help"])).Should().Be(0);
    }
}
