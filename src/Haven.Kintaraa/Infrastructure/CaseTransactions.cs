using Haven.Kintaraa.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Haven.Kintaraa.Infrastructure;

/// <summary>
/// Runs one change to cases as a single transaction: everything it wrote (the change, its audit entries, system
/// messages and events) commits together, or nothing does. An expected failure rolls back. A deadlock or
/// serialization failure (two changes racing for the same providers) runs the whole unit again from a clean slate,
/// which is safe because every change re-reads what it decides on.
/// </summary>
public sealed class CaseTransactions(KintaraaDbContext db, CaseJournal journal)
{
    private const int MaxAttempts = 4;

    public async Task<Outcome<T>> RunAsync<T>(Func<CancellationToken, Task<Outcome<T>>> work, CancellationToken cancellationToken)
    {
        // The whole unit rolls back or commits; savepoints around each SaveChanges would only add round trips.
        db.Database.AutoSavepointsEnabled = false;
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                var outcome = await work(cancellationToken);
                if (outcome.Failed)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    Reset();
                    return outcome;
                }

                await db.SaveChangesAsync(cancellationToken);
                await journal.FlushAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return outcome;
            }
            catch (Exception e) when (attempt < MaxAttempts && IsRetryable(e))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                Reset();
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt * Random.Shared.Next(1, 5)), cancellationToken);
            }
            catch
            {
                Reset();
                throw;
            }
        }
    }

    private void Reset()
    {
        db.ChangeTracker.Clear();
        journal.Discard();
    }

    private static bool IsRetryable(Exception e) =>
        (e as PostgresException ?? e.InnerException as PostgresException)?.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
}
