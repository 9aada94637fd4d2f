using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Haven.Platform.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Haven.Platform.Audit;

/// <summary>
/// Appends entries to the tamper-evident audit trail. Who (user, session, roles, tenant), when (UTC, microseconds) and
/// where (client address, user agent, request id) come from the current request; the module says what, why and how.
/// </summary>
public interface IAuditTrail
{
    /// <summary>
    /// Writes the entry now, in a transaction of its own: for sensitive reads and anything that changes no row.
    /// <c>await audit.AppendAsync(new AuditEvent("pss.medical_profile.viewed", "medical_profile", id), ct);</c>
    /// </summary>
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds the entry to <paramref name="db"/>'s current transaction: it is written just before that transaction
    /// commits (so the chain lock is held as briefly as possible) and disappears with it on rollback. Without a
    /// transaction and with no pending changes it is written at once; with unsaved changes and no transaction this
    /// throws, because the entry could not commit with them — use <see cref="SaveChangesAsync"/> instead.
    /// </summary>
    Task AppendAsync(DbContext db, AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Saves <paramref name="db"/>'s pending changes and the entry atomically (in the current transaction, or one of its own).</summary>
    Task<int> SaveChangesAsync(DbContext db, AuditEvent auditEvent, CancellationToken cancellationToken = default);
}

/// <summary>An event with its who/when/where captured at the moment the module reported it; numbered and hashed on write.</summary>
internal sealed record PendingAuditEntry(
    DateTime OccurredAt, AuditActor Actor, Guid? TenantId, string? ClientAddress, string? UserAgent, string? RequestId,
    string Action, string ResourceType, string? ResourceId, string? Note, IReadOnlyList<AuditChange> Changes)
{
    public AuditRecord ToRecord(long seq, byte[] prevHash) => new(
        seq, OccurredAt, Actor.Type, Actor.UserId, Actor.Name, Actor.SessionId, Actor.Roles, TenantId, ClientAddress, UserAgent, RequestId,
        Action, ResourceType, ResourceId, Note, Changes, prevHash);
}

internal sealed class AuditTrail(
    ICurrentUser user, IHttpContextAccessor http, TimeProvider clock, AuditStaging staging, NpgsqlDataSource dataSource) : IAuditTrail
{
    public const int MaxUserAgentLength = 512;
    public const int MaxResourceIdLength = 200;

    public async Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var entry = Capture(auditEvent);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AuditWriter.WriteAsync(connection, transaction, [entry], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task AppendAsync(DbContext db, AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var entry = Capture(auditEvent);
        if (db.Database.CurrentTransaction is { } current)
        {
            staging.Add(current, entry);
            return;
        }

        if (db.ChangeTracker.HasChanges())
        {
            throw new InvalidOperationException(
                "This DbContext has unsaved changes and no transaction, so the audit entry could not commit with them. " +
                "Call IAuditTrail.SaveChangesAsync(db, event), or append inside the transaction that saves the changes.");
        }

        await using var own = await db.Database.BeginTransactionAsync(cancellationToken);
        staging.Add(own, entry);
        await own.CommitAsync(cancellationToken);
    }

    public async Task<int> SaveChangesAsync(DbContext db, AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var entry = Capture(auditEvent);
        if (db.Database.CurrentTransaction is { } current)
        {
            var saved = await db.SaveChangesAsync(cancellationToken);
            staging.Add(current, entry);
            return saved;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var count = await db.SaveChangesAsync(cancellationToken);
        staging.Add(transaction, entry);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private PendingAuditEntry Capture(AuditEvent e)
    {
        var actor = e.Actor ?? (user.IsAuthenticated && user.UserId is { } id
            ? new AuditActor(AuditActor.UserType, id, user.SessionId, null, [.. user.Roles.Select(r => r.ToClaimValue())])
            : AuditActor.Anonymous);
        var tenant = e.TenantId ?? (e.Actor is null ? user.TenantFor(e.Module) : null);
        var context = http.HttpContext;
        return new PendingAuditEntry(
            AuditCanonical.Truncate(clock.GetUtcNow()),
            actor with { Name = AuditText.CleanOrNull(actor.Name, 100), Roles = [.. actor.Roles.Select(r => AuditText.Clean(r, 200))] },
            tenant,
            context is null ? null : AuditText.CleanOrNull(user.ClientAddress, 64),
            context is null ? null : AuditText.CleanOrNull(user.UserAgent, MaxUserAgentLength),
            context is null ? null : Activity.Current?.TraceId.ToString() ?? AuditText.Clean(context.TraceIdentifier, 100),
            e.Action,
            e.ResourceType,
            AuditText.CleanOrNull(e.ResourceId, MaxResourceIdLength),
            AuditText.CleanOrNull(e.Note, AuditEvent.MaxNoteLength),
            [.. e.Changes.Items]);
    }
}

/// <summary>
/// Entries waiting for their transaction to commit, keyed by EF's transaction object: one per BeginTransaction, so an
/// entry of a transaction that was rolled back or abandoned can never ride along with a later one (Npgsql reuses its
/// ADO.NET transaction objects per connection), and it is dropped with the transaction object.
/// </summary>
internal sealed class AuditStaging
{
    private readonly ConditionalWeakTable<IDbContextTransaction, List<PendingAuditEntry>> _pending = [];

    public void Add(IDbContextTransaction transaction, PendingAuditEntry entry)
    {
        var list = _pending.GetOrAdd(transaction, _ => []);
        lock (list)
        {
            list.Add(entry);
        }
    }

    public List<PendingAuditEntry>? Take(IDbContextTransaction? transaction) =>
        transaction is not null && _pending.TryGetValue(transaction, out var list) && _pending.Remove(transaction) ? list : null;

    public void Discard(IDbContextTransaction? transaction)
    {
        if (transaction is not null)
        {
            _pending.Remove(transaction);
        }
    }
}

/// <summary>
/// Writes a transaction's staged audit entries in the last moment before COMMIT, on the same connection and
/// transaction: the entries commit with the module's change or not at all, and the chain head stays locked only for
/// the insert and the commit. Registered on every Haven DbContext.
/// </summary>
internal sealed class AuditTransactionInterceptor(AuditStaging staging) : DbTransactionInterceptor
{
    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (staging.Take(Current(eventData, transaction)) is { Count: > 0 } entries)
        {
            await AuditWriter.WriteAsync((NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction, entries, cancellationToken);
        }

        return result;
    }

    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        if (staging.Take(Current(eventData, transaction)) is { Count: > 0 } entries)
        {
            AuditWriter.WriteAsync((NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction, entries, CancellationToken.None)
                .GetAwaiter().GetResult();
        }

        return result;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        staging.Discard(Current(eventData, transaction));

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        staging.Discard(Current(eventData, transaction));
        return Task.CompletedTask;
    }

    private static IDbContextTransaction? Current(TransactionEventData eventData, DbTransaction transaction) =>
        Data.TransactionEvents.Current(eventData, transaction);
}

/// <summary>Numbers, links and inserts entries under the chain-head row lock.</summary>
internal static class AuditWriter
{
    private const string InsertSql = """
        INSERT INTO platform.audit_entries (seq, occurred_at, actor_type, actor_id, actor_name, session_id, actor_roles, tenant_id,
            client_address, user_agent, request_id, action, resource_type, resource_id, note, changes, prev_hash, hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        """;

    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<PendingAuditEntry> entries, CancellationToken cancellationToken)
    {
        long seq;
        byte[] previous;
        // The lock serializes appenders; under READ COMMITTED the row read after waiting is the one the last appender committed.
        await using (var head = new NpgsqlCommand("SELECT last_seq, last_hash FROM platform.audit_chain_head WHERE id = 1 FOR UPDATE", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException("platform.audit_chain_head has no row; the audit migration did not run.");
            }

            seq = reader.GetInt64(0);
            previous = reader.GetFieldValue<byte[]>(1);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var entry in entries)
        {
            var record = entry.ToRecord(++seq, previous);
            var hash = AuditCanonical.Hash(record);
            batch.BatchCommands.Add(Insert(record, hash));
            previous = hash;
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static NpgsqlBatchCommand Insert(AuditRecord r, byte[] hash)
    {
        var command = new NpgsqlBatchCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = r.Seq });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = r.OccurredAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.ActorType });
        command.Parameters.Add(Nullable(r.ActorId, NpgsqlDbType.Uuid));
        command.Parameters.Add(Nullable(r.ActorName, NpgsqlDbType.Varchar));
        command.Parameters.Add(Nullable(r.SessionId, NpgsqlDbType.Uuid));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. r.ActorRoles], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(Nullable(r.TenantId, NpgsqlDbType.Uuid));
        command.Parameters.Add(Nullable(r.ClientAddress, NpgsqlDbType.Varchar));
        command.Parameters.Add(Nullable(r.UserAgent, NpgsqlDbType.Varchar));
        command.Parameters.Add(Nullable(r.RequestId, NpgsqlDbType.Varchar));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Action });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.ResourceType });
        command.Parameters.Add(Nullable(r.ResourceId, NpgsqlDbType.Varchar));
        command.Parameters.Add(Nullable(r.Note, NpgsqlDbType.Varchar));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AuditCanonical.SerializeChanges(r.Changes), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = r.PrevHash });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
        return command;
    }

    private static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };
}
