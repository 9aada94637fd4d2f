using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Haven.Pss.Data;

internal static class Database
{
    /// <summary>A concurrent insert of the same key won (PostgreSQL unique_violation).</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
