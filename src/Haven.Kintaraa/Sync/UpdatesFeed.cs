using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.SelfService;
using Haven.Platform.Events;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Sync;

/// <summary>
/// One page of what changed for the caller. Records are the current state (a case changed twice appears once, as it
/// is now); <see cref="RemovedIncidents"/> are changed cases the caller may no longer see (a referral ended), which the
/// app deletes from its store. <see cref="Cursor"/> goes into the next call; <see cref="HasMore"/>: call again at once.
/// <see cref="ResetRequired"/>: the cursor is older than the server keeps history; reload over the REST API and
/// continue from <see cref="Cursor"/>.
/// </summary>
public sealed record SyncUpdates(
    string Cursor,
    bool HasMore,
    bool ResetRequired,
    IReadOnlyList<IncidentDetail> Incidents,
    IReadOnlyList<Guid> RemovedIncidents,
    IReadOnlyList<MessageView> Messages,
    IReadOnlyList<SyncReadReceipt> ReadReceipts,
    SafetyPlanView? SafetyPlan,
    IReadOnlyList<NotificationView> Notifications,
    IReadOnlyList<Guid> NotificationsRead,
    int? UnreadNotifications);

/// <summary>Someone in a case read its conversation up to <see cref="LastReadSeq"/> (the newest such receipt per role).</summary>
public sealed record SyncReadReceipt(Guid IncidentId, string ReaderRole, long LastReadSeq);

/// <summary>
/// The cursor of <c>/incidents/updates</c>: opaque to clients, inside the position of the platform's event stream,
/// which is gap-free and commit-ordered (the platform's event sequencer numbers rows only once committed), so "everything after the
/// cursor" never skips a change whose transaction committed late. A phone's clock plays no part.
/// </summary>
public static class SyncCursor
{
    private const string Prefix = "k1.";

    public static readonly Error Invalid = new("invalid_cursor", StatusCodes.Status400BadRequest, "The sync cursor is not one this server issued.",
        "Send back the cursor of an earlier answer unchanged, or leave 'since' out to start from the beginning.");

    public static string Encode(long position) =>
        Prefix + Base64Url.EncodeToString(Encoding.ASCII.GetBytes(position.ToString(CultureInfo.InvariantCulture)));

    public static bool TryDecode(string? cursor, out long position)
    {
        position = 0;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        if (!cursor.StartsWith(Prefix, StringComparison.Ordinal) || cursor.Length > 40)
        {
            return false;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor.AsSpan(Prefix.Length)));
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out position)
                && position.ToString(CultureInfo.InvariantCulture) == text;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// Builds the incremental sync answer from the events the caller's realtime streams carry: their personal stream and
/// the groups of every case they may see now (coordinators: all cases). Events name what changed (ids, never content);
/// the records are then read with the REST API's row access, so a page never shows more than the API would.
/// </summary>
public sealed class UpdatesFeed(
    IEventFeed feed, KintaraaCaller caller, CaseAccess access, CaseReader reader, ChatService chat, SafetyPlanService plans, CaseJournal journal)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    private static readonly string[] CoordinatorGroupKinds = [Recipients.CaseGroupKind, Recipients.AdminGroupKind];

    public async Task<Outcome<SyncUpdates>> ReadAsync(string? since, int? limit, CancellationToken cancellationToken)
    {
        if (!SyncCursor.TryDecode(since, out var after) || after > await feed.LatestPositionAsync(cancellationToken))
        {
            return SyncCursor.Invalid;
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Errors.Validation("limit", $"Ask for 1 to {MaxLimit} changes per page.");
        }

        var pageSize = limit ?? DefaultLimit;
        var me = caller.UserId;
        EventPage page;
        if (caller.IsAdmin)
        {
            page = await feed.ReadAsync([EventAudience.User(me)], CoordinatorGroupKinds, after, pageSize, cancellationToken);
        }
        else
        {
            var cases = await (await access.VisibleAsync(cancellationToken)).Select(i => i.Id).ToListAsync(cancellationToken);
            page = await feed.ReadAsync([EventAudience.User(me), .. cases.Select(id => EventAudience.Group(Recipients.CaseGroupKind, id))],
                after, pageSize, cancellationToken);
        }

        if (page.ResetRequired)
        {
            return new SyncUpdates(SyncCursor.Encode(page.Position), false, true, [], [], [], [], null, [], [], null);
        }

        var incidentIds = new List<Guid>();
        var messageIds = new HashSet<Guid>();
        var receipts = new Dictionary<(Guid Incident, string Role), long>();
        var notifications = new Dictionary<Guid, NotificationView>();
        var notificationsRead = new List<Guid>();
        int? unread = null;
        var planChanged = false;
        foreach (var stored in page.Events)
        {
            if (Id(stored.Payload, "incident_id") is { } incidentId && !incidentIds.Contains(incidentId))
            {
                incidentIds.Add(incidentId);
            }

            switch (stored.Type)
            {
                case RealtimeEvents.MessageReceived when Id(stored.Payload, "message_id") is { } messageId:
                    messageIds.Add(messageId);
                    break;
                case "message.read" when Id(stored.Payload, "incident_id") is { } readIn:
                    receipts[(readIn, stored.Payload.GetProperty("reader_role").GetString()!)] = stored.Payload.GetProperty("last_read_seq").GetInt64();
                    break;
                case SafetyPlanService.UpdatedEvent:
                    planChanged = true;
                    break;
                case RealtimeEvents.NotificationPush:
                    var notification = stored.Payload.GetProperty("notification").Deserialize<NotificationView>(EventEnvelope.Json)!;
                    if (notification.Category.StartsWith(KintaraaModule.ModuleName + ".", StringComparison.Ordinal))
                    {
                        notifications[notification.Id] = notification;
                    }

                    unread = stored.Payload.GetProperty("unread_count").GetInt32();
                    break;
                case RealtimeEvents.NotificationRead:
                    notificationsRead.AddRange(stored.Payload.GetProperty("ids").Deserialize<Guid[]>(EventEnvelope.Json)!);
                    unread = stored.Payload.GetProperty("unread_count").GetInt32();
                    break;
            }
        }

        var incidents = new List<IncidentDetail>();
        var removed = new List<Guid>();
        var messages = new List<MessageView>();
        var readReceipts = new List<SyncReadReceipt>();
        foreach (var id in incidentIds)
        {
            var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
            if (view is null)
            {
                removed.Add(id);
                continue;
            }

            incidents.Add(await reader.DetailAsync(view, cancellationToken));
            if (view.IsParticipant)
            {
                messages.AddRange(await MessagesAsync(view, messageIds, cancellationToken));
                readReceipts.AddRange(receipts.Where(r => r.Key.Incident == id).Select(r => new SyncReadReceipt(id, r.Key.Role, r.Value)));
            }
        }

        // Coordinators' looks at cases are audited, as through the API.
        await journal.FlushAsync(cancellationToken);
        return new SyncUpdates(
            SyncCursor.Encode(page.Position),
            HasMore: page.Events.Count == pageSize,
            ResetRequired: false,
            incidents,
            removed,
            messages,
            readReceipts,
            planChanged ? await plans.CurrentAsync(cancellationToken) : null,
            [.. notifications.Values],
            notificationsRead,
            unread);
    }

    /// <summary>The named messages of one case, read through the conversation API (names, read receipts) from the oldest of them on.</summary>
    private async Task<IReadOnlyList<MessageView>> MessagesAsync(CaseView view, IReadOnlySet<Guid> wanted, CancellationToken cancellationToken)
    {
        var seqs = await chat.SeqsAsync(view.Incident.Id, wanted, cancellationToken);
        if (seqs.Count == 0)
        {
            return [];
        }

        var found = new List<MessageView>();
        var after = seqs.Min() - 1;
        var last = seqs.Max();
        while (after < last)
        {
            var conversation = await chat.ListAsync(view, before: null, after: after, ChatEndpoints.MaxPage, cancellationToken);
            found.AddRange(conversation.Items.Where(m => wanted.Contains(m.Id)));
            if (!conversation.HasMore || conversation.Items.Count == 0)
            {
                break;
            }

            after = conversation.Items[^1].Seq;
        }

        return found;
    }

    private static Guid? Id(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var id) ? id : null;
}
