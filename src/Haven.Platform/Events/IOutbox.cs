using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Haven.Platform.Events;

/// <summary>
/// Publishes events in the caller's own transaction, so a change and the events it causes commit (or roll back)
/// together. Committed events get a gap-free, commit-ordered position and are pushed to connected clients by every
/// app instance; clients that were away catch up from their cursor.
/// </summary>
/// <example>
/// <code>
/// await using var tx = await db.Database.BeginTransactionAsync(ct);
/// db.Messages.Add(message);
/// await db.SaveChangesAsync(ct);
/// await outbox.EnqueueAsync(db, EventEnvelope.Create(RealtimeEvents.MessageReceived, [EventAudience.Group("case", caseId)], dto), ct);
/// await tx.CommitAsync(ct);
/// </code>
/// </example>
public interface IOutbox
{
    /// <summary>Adds events inside <paramref name="db"/>'s current transaction; throws if it has none (the change and its events would not be atomic).</summary>
    Task EnqueueAsync(DbContext db, EventEnvelope envelope, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="EnqueueAsync(DbContext, EventEnvelope, CancellationToken)"/>
    Task EnqueueAsync(DbContext db, IReadOnlyCollection<EventEnvelope> envelopes, CancellationToken cancellationToken = default);

    /// <summary>For code that works on a raw Npgsql connection: adds events inside <paramref name="transaction"/>.</summary>
    Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<EventEnvelope> envelopes, CancellationToken cancellationToken = default);
}
