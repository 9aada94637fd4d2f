using System.CommandLine;
using System.Security.Cryptography;
using Haven.Platform.Data;
using Haven.Platform.Identity;
using Microsoft.EntityFrameworkCore;

namespace Haven.Server.Cli;

/// <summary>Identity administration from the command line.</summary>
public static class IdentityCommands
{
    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static Command CreateAdmin()
    {
        var email = new Option<string>("--email") { Description = "Email address of the administrator (the sign-in name).", Required = true };
        var password = new Option<string?>("--password") { Description = "Password (12+ characters, not a common one). Omit to generate one, printed once." };
        var role = new Option<string>("--role")
        {
            Description = $"Role to grant: {string.Join(", ", HavenRoles.UserAdmins.Order())}.",
            DefaultValueFactory = _ => HavenRoles.Platform.Admin,
        };
        var tenant = new Option<string?>("--tenant") { Description = "Tenant of the role, by id or by name within the role's module (module admins only; omit for module-wide)." };
        var name = new Option<string?>("--name") { Description = "Display name." };
        var command = new Command("create-admin",
            "Create an administrator (or grant the role to an existing account) and print how to sign in. " +
            "Administrators must enrol two-step verification at their first sign-in.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(email);
        command.Options.Add(password);
        command.Options.Add(role);
        command.Options.Add(tenant);
        command.Options.Add(name);
        command.SetAction(async (result, cancellationToken) =>
        {
            var wantedRole = result.GetValue(role)!;
            if (!HavenRoles.UserAdmins.Contains(wantedRole))
            {
                await Console.Error.WriteLineAsync($"--role must be one of: {string.Join(", ", HavenRoles.UserAdmins.Order())}.");
                return 2;
            }

            await using var host = await CommandHost.StartAsync([.. result.UnmatchedTokens], cancellationToken);
            await using var scope = host.Services.CreateAsyncScope();
            var tenantId = await ResolveTenantAsync(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), wantedRole, result.GetValue(tenant), cancellationToken);
            if (tenantId is { Error: { } error })
            {
                await Console.Error.WriteLineAsync(error);
                return 2;
            }

            var generated = result.GetValue(password) is null;
            var secret = result.GetValue(password) ?? RandomNumberGenerator.GetString(PasswordAlphabet, 20);
            try
            {
                var user = await scope.ServiceProvider.GetRequiredService<IUserProvisioning>().EnsureUserAsync(
                    new UserSpec(result.GetValue(email)!, secret, result.GetValue(name), [new RoleGrantSpec(wantedRole, tenantId?.Id)]), cancellationToken);
                Console.WriteLine(user.Created ? $"Created {user.Email} with role {wantedRole}." : $"{user.Email} already existed; role {wantedRole} is granted (password unchanged).");
                if (user.Created && generated)
                {
                    Console.WriteLine($"Password (shown once): {secret}");
                }

                Console.WriteLine("At the first sign-in Haven asks to enrol an authenticator app (two-step verification is required for administrators).");
                return 0;
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
        });
        return command;
    }

    private static async Task<(Guid? Id, string? Error)?> ResolveTenantAsync(PlatformDbContext db, string role, string? tenant, CancellationToken cancellationToken)
    {
        if (tenant is null)
        {
            return null;
        }

        var module = HavenRoles.ModuleOf(role);
        var match = Guid.TryParse(tenant, out var id)
            ? await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken)
            : await db.Tenants.FirstOrDefaultAsync(t => t.Module == module && t.Name == tenant, cancellationToken);
        return match is null ? (null, $"No tenant '{tenant}' in module '{module}'.") : (match.Id, null);
    }
}
