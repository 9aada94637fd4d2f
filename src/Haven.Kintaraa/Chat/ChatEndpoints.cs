using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Realtime;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Chat;

/// <summary>A message to post; <c>id</c> is the client's own id, so a resent message is stored once.</summary>
public sealed record PostMessageRequest(Guid? Id, [property: Required, StringLength(5000, MinimumLength = 1)] string Body);

public sealed record Sender(ParticipantRole Role, string Name, bool IsMe);

public sealed record ReadReceipt(ParticipantRole Role, string Name, DateTimeOffset ReadAt);

public sealed record MessageView(Guid Id, long Seq, Guid IncidentId, MessageKind Kind, Sender Sender, string Body, Guid? EvidenceId,
    DateTimeOffset CreatedAt, IReadOnlyList<ReadReceipt> ReadBy);

public sealed record Conversation(IReadOnlyList<MessageView> Items, bool HasMore, int UnreadCount, long? LastReadSeq);

public sealed record ReadState(Guid IncidentId, long LastReadSeq, int UnreadCount);

internal static class ChatEndpoints
{
    public const int MaxPage = 100;

    public static readonly Error MessageNotFound = Errors.NotFound("Message");

    public static void Map(RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Kintaraa chat");
        incidents.MapGet("/{id:guid}/messages", ListAsync).WithName("kintaraa_messages_list")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("The case's conversation, oldest first: the latest page, or before/after a message's seq")
            .WithDescription("Open to the survivor, the providers working the case (accepted referrals) and admins (audited).");
        incidents.MapPost("/{id:guid}/messages", PostAsync).WithName("kintaraa_messages_post")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Write to the case's conversation (idempotent on the client's id)");
        incidents.MapPut("/{id:guid}/messages/read", ReadAllAsync).WithName("kintaraa_messages_read_all")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Mark the whole conversation read");
        api.MapPut("/messages/{id:guid}/read", ReadAsync).WithName("kintaraa_messages_read").WithTags("Kintaraa chat")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Mark a message (and everything before it) read: the read receipt the others see");
    }

    private static async Task<Results<Ok<Conversation>, ProblemHttpResult>> ListAsync(
        Guid id, [FromQuery] long? before, [FromQuery] long? after, [FromQuery] int? limit,
        CaseAccess access, ChatService chat, CaseJournal journal, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(limit is < 1 or > MaxPage, "limit", $"Between 1 and {MaxPage}.")
            .When(before is not null && after is not null, "before", "Use before or after, not both.");
        if (errors.AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound.ToProblem();
        }

        if (!view.IsParticipant)
        {
            return NotParticipant.ToProblem();
        }

        var conversation = await chat.ListAsync(view, before, after, limit ?? 50, cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return TypedResults.Ok(conversation);
    }

    private static async Task<Results<Created<MessageView>, Ok<MessageView>, ProblemHttpResult>> PostAsync(
        Guid id, PostMessageRequest request, ChatService chat, CancellationToken cancellationToken)
    {
        var result = await chat.PostAsync(id, request, cancellationToken);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var (message, created) = result.Value;
        return created ? TypedResults.Created($"/api/kintaraa/incidents/{id}/messages", message) : TypedResults.Ok(message);
    }

    private static async Task<Results<Ok<ReadState>, ProblemHttpResult>> ReadAsync(Guid id, ChatService chat, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await chat.MarkReadAsync(messageId: id, incidentId: null, cancellationToken));

    private static async Task<Results<Ok<ReadState>, ProblemHttpResult>> ReadAllAsync(Guid id, ChatService chat, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await chat.MarkReadAsync(messageId: null, incidentId: id, cancellationToken));

    public static readonly Error NotParticipant = Errors.Forbidden("not_working_case", "Accept the referral to join the case's conversation.");
}

/// <summary>
/// One conversation per case among the survivor, the providers working it and admins. Read state is a cursor per
/// participant (the last message they read), which gives both unread counts and read receipts.
/// </summary>
public sealed class ChatService(
    KintaraaDbContext db, KintaraaCaller caller, CaseAccess access, CaseTransactions transactions, CaseJournal journal,
    ReferralService referrals, SurvivorNames survivors, TimeProvider clock)
{
    public async Task<Conversation> ListAsync(CaseView view, long? before, long? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Messages.AsNoTracking().Where(m => m.IncidentId == view.Incident.Id);
        List<Message> page;
        bool hasMore;
        if (after is { } a)
        {
            page = await query.Where(m => m.Seq > a).OrderBy(m => m.Seq).Take(limit + 1).ToListAsync(cancellationToken);
            hasMore = page.Count > limit;
            page = [.. page.Take(limit)];
        }
        else
        {
            if (before is { } b)
            {
                query = query.Where(m => m.Seq < b);
            }

            page = await query.OrderByDescending(m => m.Seq).Take(limit + 1).ToListAsync(cancellationToken);
            hasMore = page.Count > limit;
            page = [.. page.Take(limit).Reverse()];
        }

        var cursors = await db.ReadCursors.AsNoTracking().Where(c => c.IncidentId == view.Incident.Id).ToListAsync(cancellationToken);
        var names = await NamesAsync(view.Incident, page.Select(m => m.SenderProviderId), cursors, cancellationToken);
        var me = caller.UserId;
        var mine = cursors.FirstOrDefault(c => c.UserId == me);
        var lastRead = mine?.LastReadSeq ?? 0;
        var unread = await db.Messages.CountAsync(m => m.IncidentId == view.Incident.Id && m.Seq > lastRead && m.SenderId != me, cancellationToken);
        return new Conversation([.. page.Select(m => ToView(m, names, cursors, me))], hasMore, unread, mine?.LastReadSeq);
    }

    /// <summary>The sequence numbers of those of <paramref name="ids"/> that are messages of the case.</summary>
    public async Task<IReadOnlyList<long>> SeqsAsync(Guid incidentId, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        ids.Count == 0 ? [] : await db.Messages.AsNoTracking().Where(m => m.IncidentId == incidentId && ids.Contains(m.Id)).Select(m => m.Seq).ToListAsync(cancellationToken);

    /// <summary>The whole conversation (for the survivor's data export).</summary>
    public async Task<IReadOnlyList<MessageView>> AllAsync(CaseView view, CancellationToken cancellationToken)
    {
        var messages = await db.Messages.AsNoTracking().Where(m => m.IncidentId == view.Incident.Id).OrderBy(m => m.Seq).ToListAsync(cancellationToken);
        var cursors = await db.ReadCursors.AsNoTracking().Where(c => c.IncidentId == view.Incident.Id).ToListAsync(cancellationToken);
        var names = await NamesAsync(view.Incident, messages.Select(m => m.SenderProviderId), cursors, cancellationToken);
        return [.. messages.Select(m => ToView(m, names, cursors, caller.UserId))];
    }

    public async Task<Outcome<(MessageView Message, bool Created)>> PostAsync(Guid incidentId, PostMessageRequest request, CancellationToken cancellationToken)
    {
        var body = request.Body.Trim();
        if (body.Length == 0)
        {
            return Errors.Validation("body", "Write something.");
        }

        if (request.Id == Guid.Empty)
        {
            return Errors.Validation("id", "Use a random id (a UUID), not zeros.");
        }

        var created = false;
        var outcome = await transactions.RunAsync<(CaseView View, Message Message)>(async ct =>
        {
            var view = await access.FindAsync(incidentId, CaseAccessMode.Write, ct);
            if (view is null)
            {
                return IncidentService.IncidentNotFound;
            }

            if (!view.IsParticipant)
            {
                return ChatEndpoints.NotParticipant;
            }

            if (request.Id is { } clientId && await db.Messages.FirstOrDefaultAsync(m => m.Id == clientId, ct) is { } existing)
            {
                return existing.IncidentId == incidentId && existing.SenderId == caller.UserId
                    ? (view, existing)
                    : Errors.Conflict("id_in_use", "Another message already uses this id.");
            }

            if (view.Incident.Status == CaseStatus.Closed)
            {
                return ReferralService.CaseClosed;
            }

            var now = clock.GetUtcNow();
            var message = new Message
            {
                Id = request.Id ?? Guid.CreateVersion7(now),
                IncidentId = incidentId,
                SenderId = caller.UserId,
                SenderRole = view.Role,
                SenderProviderId = view.Provider?.Id,
                Kind = MessageKind.Text,
                Body = body,
                CreatedAt = now,
            };
            db.Messages.Add(message);
            if (view.Relation == CaseRelation.Provider && view.Incident.FirstResponseAt is null)
            {
                view.Incident.FirstResponseAt = now;
            }

            await db.SaveChangesAsync(ct);
            // Writing means having read everything up to one's own message.
            await AdvanceCursorAsync(incidentId, view.Role, message.Seq, ct);
            journal.Audit("kintaraa.message.sent", "message", message.Id, new { view.Incident.CaseNumber });
            var audience = (await referrals.ParticipantUsersAsync(view.Incident, ct)).Where(u => u != caller.UserId).ToArray();
            // Events carry no message text: pushes show on lock screens and events are stored; clients fetch the message.
            journal.Publish(RealtimeEvents.MessageReceived, new { incident_id = incidentId, case_number = view.Incident.CaseNumber, message_id = message.Id, seq = message.Seq,
                sender_role = SnakeEnum<ParticipantRole>.Name(view.Role) }, new Recipients(audience, Case: incidentId));
            foreach (var recipient in audience)
            {
                journal.Notify(recipient, KintaraaNotifications.Message, $"New message in {view.Incident.CaseNumber}", incidentId);
            }
            created = true;
            return (view, message);
        }, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error;
        }

        var (caseView, saved) = outcome.Value;
        var cursors = await db.ReadCursors.AsNoTracking().Where(c => c.IncidentId == incidentId).ToListAsync(cancellationToken);
        var names = await NamesAsync(caseView.Incident, [saved.SenderProviderId], cursors, cancellationToken);
        return (ToView(saved, names, cursors, caller.UserId), created);
    }

    public async Task<Outcome<ReadState>> MarkReadAsync(Guid? messageId, Guid? incidentId, CancellationToken cancellationToken)
    {
        long? upTo = null;
        if (messageId is { } mid)
        {
            var message = await db.Messages.AsNoTracking().Where(m => m.Id == mid).Select(m => new { m.IncidentId, m.Seq }).FirstOrDefaultAsync(cancellationToken);
            if (message is null)
            {
                return ChatEndpoints.MessageNotFound;
            }

            incidentId = message.IncidentId;
            upTo = message.Seq;
        }

        var view = await access.FindAsync(incidentId!.Value, CaseAccessMode.Read, cancellationToken);
        if (view is null || !view.IsParticipant)
        {
            return messageId is null ? IncidentService.IncidentNotFound : ChatEndpoints.MessageNotFound;
        }

        upTo ??= await db.Messages.Where(m => m.IncidentId == incidentId).MaxAsync(m => (long?)m.Seq, cancellationToken) ?? 0;
        var last = await AdvanceCursorAsync(incidentId.Value, view.Role, upTo.Value, cancellationToken);
        var me = caller.UserId;
        var unread = await db.Messages.CountAsync(m => m.IncidentId == incidentId && m.Seq > last && m.SenderId != me, cancellationToken);
        journal.Publish("message.read", new { incident_id = incidentId, last_read_seq = last, reader_role = SnakeEnum<ParticipantRole>.Name(view.Role) },
            new Recipients([], Case: incidentId));
        await journal.FlushAsync(cancellationToken);
        return new ReadState(incidentId.Value, last, unread);
    }

    /// <summary>Moves the caller's read cursor forward (never back) in one statement; returns where it stands.</summary>
    private async Task<long> AdvanceCursorAsync(Guid incidentId, ParticipantRole role, long seq, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var me = caller.UserId;
        var roleName = SnakeEnum<ParticipantRole>.Name(role);
        // Not composed (no LIMIT wrapper): PostgreSQL allows INSERT ... RETURNING only at the top level.
        var rows = await db.Database.SqlQuery<long>($"""
            INSERT INTO kintaraa.read_cursors AS c (incident_id, user_id, role, last_read_seq, read_at)
            VALUES ({incidentId}, {me}, {roleName}, {seq}, {now})
            ON CONFLICT (incident_id, user_id) DO UPDATE
                SET last_read_seq = greatest(c.last_read_seq, excluded.last_read_seq),
                    read_at = CASE WHEN excluded.last_read_seq > c.last_read_seq THEN excluded.read_at ELSE c.read_at END,
                    role = excluded.role
            RETURNING last_read_seq AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.Single();
    }

    private sealed record Names(string Survivor, IReadOnlyDictionary<Guid, string> ProvidersById, IReadOnlyDictionary<Guid, string> ProvidersByUser);

    private async Task<Names> NamesAsync(Incident incident, IEnumerable<Guid?> senderProviders, IReadOnlyList<ReadCursor> cursors, CancellationToken cancellationToken)
    {
        var ids = senderProviders.Where(p => p is not null).Select(p => p!.Value).Distinct().ToList();
        var users = cursors.Where(c => c.Role == ParticipantRole.Provider).Select(c => c.UserId).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => ids.Contains(p.Id) || users.Contains(p.UserId))
            .Select(p => new { p.Id, p.UserId, p.DisplayName, p.Organisation, p.ProviderType }).ToListAsync(cancellationToken);
        return new Names(
            await survivors.SpeakerAsync(incident, cancellationToken),
            providers.ToDictionary(p => p.Id, p => $"{p.DisplayName} ({p.Organisation})"),
            providers.ToDictionary(p => p.UserId, p => $"{p.DisplayName} ({p.Organisation})"));
    }

    private static MessageView ToView(Message m, Names names, IReadOnlyList<ReadCursor> cursors, Guid me)
    {
        var sender = m.SenderRole switch
        {
            ParticipantRole.System => new Sender(ParticipantRole.System, "Kintaraa", false),
            ParticipantRole.Survivor => new Sender(ParticipantRole.Survivor, names.Survivor, m.SenderId == me),
            ParticipantRole.Provider => new Sender(ParticipantRole.Provider,
                m.SenderProviderId is { } p && names.ProvidersById.TryGetValue(p, out var name) ? name : "Provider", m.SenderId == me),
            _ => new Sender(ParticipantRole.Admin, "Coordinator", m.SenderId == me),
        };
        var readBy = cursors.Where(c => c.UserId != m.SenderId && c.LastReadSeq >= m.Seq)
            .Select(c => new ReadReceipt(c.Role, c.Role switch
            {
                ParticipantRole.Survivor => names.Survivor,
                ParticipantRole.Provider => names.ProvidersByUser.TryGetValue(c.UserId, out var n) ? n : "Provider",
                _ => "Coordinator",
            }, c.ReadAt))
            .ToList();
        return new MessageView(m.Id, m.Seq, m.IncidentId, m.Kind, sender, m.Body, m.EvidenceId, m.CreatedAt, readBy);
    }
}
