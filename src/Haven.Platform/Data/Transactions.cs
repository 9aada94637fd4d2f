using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Haven.Platform.Data;

/// <summary>
/// A transaction a kernel operation needs for its own writes: a new one when the caller has none, otherwise the
/// caller's (the operation then commits with the caller's change, or not at all).
/// <code>
/// await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
/// ... writes, audit.AppendAsync(db, ...) ...
/// await transaction.CommitAsync(ct);   // commits only a transaction it began
/// </code>
/// </summary>
internal sealed class JoinedTransaction : IAsyncDisposable
{
    private readonly IDbContextTransaction? _own;

    private JoinedTransaction(IDbContextTransaction? own) => _own = own;

    public static async Task<JoinedTransaction> BeginAsync(DbContext db, CancellationToken cancellationToken) =>
        new(db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null);

    public Task CommitAsync(CancellationToken cancellationToken) => _own?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _own?.DisposeAsync() ?? ValueTask.CompletedTask;
}

internal static class JoinedTransactionExtensions
{
    public static Task<JoinedTransaction> BeginOrJoinTransactionAsync(this DbContext db, CancellationToken cancellationToken) =>
        JoinedTransaction.BeginAsync(db, cancellationToken);
}

/// <summary>
/// Work that must wait until the change it follows is visible to everyone: dropping a cache entry the change makes
/// stale, closing connections of a session the change revoked. Outside a transaction it runs at once; inside one,
/// right after COMMIT, and never after a rollback. (Done before the commit, a concurrent request could read the old
/// state and cache it again.)
/// </summary>
internal sealed partial class AfterCommit(ILogger<AfterCommit> logger)
{
    private readonly ConditionalWeakTable<IDbContextTransaction, List<Func<Task>>> _pending = [];

    public Task RunAsync(DbContext db, Func<Task> work)
    {
        if (db.Database.CurrentTransaction is not { } transaction)
        {
            return work();
        }

        var list = _pending.GetOrAdd(transaction, _ => []);
        lock (list)
        {
            list.Add(work);
        }

        return Task.CompletedTask;
    }

    internal async Task CommittedAsync(IDbContextTransaction? transaction)
    {
        if (transaction is null || !_pending.TryGetValue(transaction, out var list) || !_pending.Remove(transaction))
        {
            return;
        }

        Func<Task>[] work;
        lock (list)
        {
            work = [.. list];
        }

        foreach (var item in work)
        {
            try
            {
                await item();
            }
            catch (Exception e)
            {
                // The change is committed; failing its caller now would report a change that happened as failed.
                LogFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Error, Message = "Work after a commit failed ({Error}); the change itself is committed")]
    private static partial void LogFailed(ILogger logger, string error);

    internal void Discard(IDbContextTransaction? transaction)
    {
        if (transaction is not null)
        {
            _pending.Remove(transaction);
        }
    }

    /// <summary>Registered on every Haven DbContext with the other kernel interceptors.</summary>
    internal sealed class Interceptor(AfterCommit afterCommit) : DbTransactionInterceptor
    {
        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
            afterCommit.CommittedAsync(Current(eventData, transaction));

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
            afterCommit.CommittedAsync(Current(eventData, transaction)).GetAwaiter().GetResult();

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
            afterCommit.Discard(Current(eventData, transaction));

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            afterCommit.Discard(Current(eventData, transaction));
            return Task.CompletedTask;
        }

        private static IDbContextTransaction? Current(TransactionEventData eventData, DbTransaction transaction) =>
            TransactionEvents.Current(eventData, transaction);
    }
}

internal static class TransactionEvents
{
    /// <summary>
    /// EF's transaction object behind an interceptor event: one per BeginTransaction (Npgsql reuses its ADO.NET
    /// transaction objects per connection, so those cannot key per-transaction state). It is still current while
    /// EF reports the commit or rollback.
    /// </summary>
    public static IDbContextTransaction? Current(TransactionEventData eventData, DbTransaction transaction) =>
        eventData.Context?.Database.CurrentTransaction is { } current && current.TransactionId == eventData.TransactionId
            && ReferenceEquals(current.GetDbTransaction(), transaction) ? current : null;
}
