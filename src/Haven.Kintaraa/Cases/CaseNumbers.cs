using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Haven.Kintaraa.Cases;

/// <summary>
/// Case numbers <c>KIN-YYMMDDNNN</c>: the reporting day (in the configured case-number time zone) and that day's
/// running count, at least three digits (the thousandth case of a day reads <c>KIN-2411211000</c>).
/// </summary>
public sealed class CaseNumbers(NpgsqlDataSource dataSource)
{
    public static string Format(DateOnly day, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"KIN-{day:yyMMdd}{sequence:D3}");

    /// <summary>
    /// Takes the next number of the day. The increment is a single upsert on its own connection, so the counter row is
    /// locked only for that statement, never for the whole report transaction: concurrent reports each get a distinct
    /// number without queueing behind one another. A report that fails afterwards leaves a gap, never a duplicate.
    /// </summary>
    public async Task<string> NextAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO kintaraa.case_number_counters AS c (day, last_value) VALUES ($1, 1)
            ON CONFLICT (day) DO UPDATE SET last_value = c.last_value + 1
            RETURNING last_value
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = day });
        var value = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return Format(day, value);
    }

    private const string HandleAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: no I, L, O, U.

    /// <summary>
    /// A pseudonymous case handle (<c>S-</c> and eight base32 characters, 40 random bits) that says nothing about the
    /// survivor. Handles are unique by index; the rare collision is answered by drawing another.
    /// </summary>
    public static string NewHandle() => "S-" + RandomNumberGenerator.GetString(HandleAlphabet, 8);
}
