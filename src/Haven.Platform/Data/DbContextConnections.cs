using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Haven.Platform.Data;

/// <summary>The Npgsql connection and transaction under a DbContext, for kernel services that write beside a module's change.</summary>
internal static class DbContextConnections
{
    /// <summary>
    /// The context's open connection and current transaction. Kernel writes that must commit with the module's change
    /// (events, jobs, notifications) refuse to run without one: outside a transaction they would commit on their own.
    /// </summary>
    public static (NpgsqlConnection Connection, NpgsqlTransaction Transaction) RequireTransaction(DbContext db, string caller)
    {
        if (db.Database.CurrentTransaction?.GetDbTransaction() is not NpgsqlTransaction transaction)
        {
            throw new InvalidOperationException(
                $"{caller} must run inside the DbContext's transaction (await db.Database.BeginTransactionAsync()), " +
                "so that the change and what it publishes commit together.");
        }

        return ((NpgsqlConnection)db.Database.GetDbConnection(), transaction);
    }
}
