using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Audit;
using Haven.Platform.Files;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Evidence;

public sealed record EvidenceView(
    Guid Id,
    Guid IncidentId,
    EvidenceKind Kind,
    string FileName,
    string ContentType,
    long SizeBytes,
    string Sha256,
    string? Description,
    ParticipantRole UploaderRole,
    string UploadedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeletedAt,
    string? LastHandedTo);

public sealed record HandoverRequest(
    [property: Required, StringLength(300, MinimumLength = 3)] string Recipient,
    [property: StringLength(1000)] string? Note);

public sealed record CustodyEntryView(
    int Sequence, CustodyAction Action, ParticipantRole ActorRole, string Actor, string? Recipient, string? Note, string Sha256,
    DateTimeOffset OccurredAt, string PreviousHash, string EntryHash);

/// <summary>An evidence item's chain of custody and whether its hashes still hold.</summary>
public sealed record CustodyLog(Guid EvidenceId, string FileName, string Sha256, bool Intact, int? BrokenAt, IReadOnlyList<CustodyEntryView> Entries);

internal static class EvidenceEndpoints
{
    public const string FileUseName = "kintaraa.evidence";

    public static readonly Error EvidenceNotFound = Errors.NotFound("Evidence");

    public static void Map(RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Kintaraa evidence");
        incidents.MapPost("/{id:guid}/evidence", UploadAsync).WithName("kintaraa_evidence_upload")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Add evidence to a case: a photo, document, audio or video, streamed into encrypted storage")
            .WithDescription("Send multipart/form-data (the first file part) or the raw bytes (name in `?file_name=`). " +
                             "`?id=` is the client's own id: repeating an upload with it answers the evidence already stored. " +
                             "`?description=` describes it (stored encrypted). The kind is read from the content, not the name.");
        incidents.MapGet("/{id:guid}/evidence", ListAsync).WithName("kintaraa_evidence_list")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("The case's evidence (deleted items stay listed, without content)");
        var evidence = api.MapGroup("/evidence").WithTags("Kintaraa evidence");
        evidence.MapGet("/{id:guid}", DownloadAsync).WithName("kintaraa_evidence_download")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Download evidence (Range requests for seeking); every download is entered in its chain of custody and audited");
        evidence.MapGet("/{id:guid}/custody", CustodyAsync).WithName("kintaraa_evidence_custody")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("The chain of custody: every upload, access, hand-over and deletion with the content hash, each entry chained to the last");
        evidence.MapPost("/{id:guid}/handover", HandoverAsync).WithName("kintaraa_evidence_handover")
            .RequireAuthorization(KintaraaPolicies.Staff)
            .WithSummary("Record that evidence was handed over (police working the case, or an admin), with its hash at that moment");
        evidence.MapDelete("/{id:guid}", DeleteAsync).WithName("kintaraa_evidence_delete")
            .RequireAuthorization(KintaraaPolicies.Member)
            .WithSummary("Delete evidence content (its uploader or an admin); refused under a legal hold or once handed over");
    }

    private static async Task<Results<Created<EvidenceView>, Ok<EvidenceView>, ProblemHttpResult>> UploadAsync(
        Guid id, [FromQuery(Name = "id")] Guid? evidenceId, [FromQuery] string? description, HttpRequest request,
        EvidenceService service, CancellationToken cancellationToken)
    {
        var result = await service.UploadAsync(id, evidenceId, description, request, cancellationToken);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var (view, created) = result.Value;
        return created ? TypedResults.Created($"/api/kintaraa/evidence/{view.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<List<EvidenceView>>, ProblemHttpResult>> ListAsync(Guid id, EvidenceService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.ListAsync(id, cancellationToken));

    private static async Task<IResult> DownloadAsync(Guid id, [FromQuery] bool? inline, EvidenceService service, HttpRequest request, CancellationToken cancellationToken)
    {
        var result = await service.RecordAccessAsync(id, request.Headers.Range.ToString(), cancellationToken);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var item = result.Value!;
        return FileResults.Download(item.FileId!.Value, new AuditEvent("kintaraa.evidence.downloaded", "evidence", item.Id),
            new FileDownloadOptions { Inline = inline == true, FileName = item.FileName });
    }

    private static async Task<Results<Ok<CustodyLog>, ProblemHttpResult>> CustodyAsync(Guid id, EvidenceService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.CustodyAsync(id, cancellationToken));

    private static async Task<Results<Ok<CustodyLog>, ProblemHttpResult>> HandoverAsync(
        Guid id, HandoverRequest request, EvidenceService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.HandOverAsync(id, request.Recipient.Trim(), request.Note, cancellationToken));

    private static async Task<Results<Ok<EvidenceView>, ProblemHttpResult>> DeleteAsync(Guid id, EvidenceService service, CancellationToken cancellationToken) =>
        IncidentEndpoints.Answer(await service.DeleteAsync(id, cancellationToken));
}

/// <summary>
/// Evidence on cases, stored through the platform's encrypted files. Everyone taking part in a case may add and see
/// its evidence; every upload, download, hand-over and deletion is entered in the item's hash-chained chain of
/// custody (with the content's SHA-256 at that moment) and in the audit trail.
/// </summary>
public sealed class EvidenceService(
    KintaraaDbContext db,
    KintaraaCaller caller,
    CaseAccess access,
    CaseTransactions transactions,
    CaseJournal journal,
    ReferralService referrals,
    SurvivorNames survivors,
    IFileStore files,
    TimeProvider clock)
{
    public static readonly Error LegalHold = Errors.Conflict("legal_hold", "The case is under a legal hold; its evidence cannot be deleted.");

    public static readonly Error InCustody = Errors.Conflict("in_custody", "This evidence was handed over; deleting it would break its chain of custody.");

    public static readonly Error Deleted = new("evidence_deleted", StatusCodes.Status410Gone, "This evidence was deleted; only its chain of custody remains.");

    public Task<Outcome<(EvidenceView View, bool Created)>> UploadAsync(
        Guid incidentId, Guid? evidenceId, string? description, HttpRequest request, CancellationToken cancellationToken) =>
        UploadAsync(incidentId, evidenceId, description, (save, ct) => files.SaveFromRequestAsync(request, save, ct), cancellationToken);

    /// <summary>
    /// Records evidence whose content <paramref name="store"/> streams into the file store (given the save request to
    /// complete); it runs only after the caller's access to the case is checked.
    /// </summary>
    public async Task<Outcome<(EvidenceView View, bool Created)>> UploadAsync(
        Guid incidentId, Guid? evidenceId, string? description, Func<FileSaveRequest, CancellationToken, Task<FileSaveResult>> store, CancellationToken cancellationToken)
    {
        if (description?.Length > 1000)
        {
            return Errors.Validation("description", "At most 1000 characters.");
        }

        if (evidenceId == Guid.Empty)
        {
            return Errors.Validation("id", "Use a random id (a UUID), not zeros.");
        }

        var view = await access.FindAsync(incidentId, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound;
        }

        if (!view.IsParticipant)
        {
            return Chat.ChatEndpoints.NotParticipant;
        }

        if (view.Incident.Status == CaseStatus.Closed)
        {
            return ReferralService.CaseClosed;
        }

        var id = evidenceId ?? Guid.CreateVersion7(clock.GetUtcNow());
        if (await db.Evidence.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken) is { } existing)
        {
            return existing.IncidentId == incidentId && existing.UploadedBy == caller.UserId
                ? (await ViewAsync(existing, view.Incident, cancellationToken), false)
                : Errors.Conflict("id_in_use", "Other evidence already uses this id.");
        }

        var saved = await store(new FileSaveRequest(EvidenceEndpoints.FileUseName, null) { Id = id, UploadedBy = caller.UserId }, cancellationToken);
        StoredFile stored;
        if (saved.Succeeded)
        {
            stored = saved.File;
        }
        else if (saved.Error.Code == "file_exists" && await files.FindAsync(id, cancellationToken) is { } earlier && earlier.UploadedBy == caller.UserId)
        {
            // An earlier attempt stored the content but did not get to record it: finish that attempt.
            stored = earlier;
        }
        else
        {
            return saved.Error;
        }

        if (EvidenceKinds.For(stored.ContentType) is not { } kind)
        {
            await files.DeleteAsync(stored.Id, cancellationToken);
            return Errors.UnsupportedMediaType("This kind of file is not accepted as evidence.");
        }

        try
        {
            var outcome = await transactions.RunAsync<(EvidenceItem Item, Incident Incident)>(async ct =>
            {
                var locked = await access.FindAsync(incidentId, CaseAccessMode.Write, ct);
                if (locked is null || !locked.IsParticipant)
                {
                    return IncidentService.IncidentNotFound;
                }

                var now = clock.GetUtcNow();
                var item = new EvidenceItem
                {
                    Id = id,
                    IncidentId = incidentId,
                    UploadedBy = caller.UserId,
                    UploaderRole = locked.Role,
                    Kind = kind,
                    FileId = stored.Id,
                    FileName = stored.FileName,
                    ContentType = stored.ContentType,
                    SizeBytes = stored.Length,
                    Sha256 = stored.Sha256,
                    Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(),
                    CreatedAt = now,
                };
                db.Evidence.Add(item);
                await db.SaveChangesAsync(ct);
                await AppendCustodyAsync(item, CustodyAction.Uploaded, await LabelAsync(locked, ct), locked.Role, null, null, ct);
                var message = journal.SystemMessage(incidentId, $"{Capitalised(kind)} added: {item.FileName}.");
                message.Kind = MessageKind.File;
                message.EvidenceId = item.Id;
                journal.Audit("kintaraa.evidence.uploaded", "evidence", item.Id, new { locked.Incident.CaseNumber, kind = SnakeEnum<EvidenceKind>.Name(kind), sha256 = item.Sha256 });
                var others = (await referrals.ParticipantUsersAsync(locked.Incident, ct)).Where(u => u != caller.UserId).ToList();
                journal.Publish("evidence.added", new { incident_id = incidentId, evidence_id = item.Id, kind = SnakeEnum<EvidenceKind>.Name(kind) },
                    new Recipients(others, Case: incidentId));
                foreach (var user in others)
                {
                    journal.Notify(user, KintaraaNotifications.CaseUpdate, $"New evidence in {locked.Incident.CaseNumber}", incidentId);
                }

                return (item, locked.Incident);
            }, cancellationToken);
            if (outcome.Error is { } error)
            {
                await files.DeleteAsync(stored.Id, CancellationToken.None);
                return error;
            }

            return (await ViewAsync(outcome.Value.Item, outcome.Value.Incident, cancellationToken), true);
        }
        catch
        {
            // The content must not outlive a failed record of it.
            await files.DeleteAsync(stored.Id, CancellationToken.None);
            throw;
        }
    }

    public async Task<Outcome<List<EvidenceView>>> ListAsync(Guid incidentId, CancellationToken cancellationToken)
    {
        var view = await access.FindAsync(incidentId, CaseAccessMode.Read, cancellationToken);
        if (view is null)
        {
            return IncidentService.IncidentNotFound;
        }

        if (!view.IsParticipant)
        {
            return Chat.ChatEndpoints.NotParticipant;
        }

        var items = await db.Evidence.AsNoTracking().Where(e => e.IncidentId == incidentId).OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var result = new List<EvidenceView>();
        foreach (var item in items)
        {
            result.Add(await ViewAsync(item, view.Incident, cancellationToken));
        }

        await journal.FlushAsync(cancellationToken);
        return result;
    }

    /// <summary>Checks the caller may download, and enters the download in the chain of custody before any byte is served.</summary>
    public async Task<Outcome<EvidenceItem>> RecordAccessAsync(Guid evidenceId, string range, CancellationToken cancellationToken) =>
        await OnEvidenceAsync(evidenceId, async (view, item, ct) =>
        {
            if (item.FileId is null)
            {
                return Deleted;
            }

            await AppendCustodyAsync(item, CustodyAction.Downloaded, await LabelAsync(view, ct), view.Role, null,
                range.Length > 0 ? $"range {range[..Math.Min(range.Length, 100)]}" : null, ct);
            return item;
        }, cancellationToken);

    public async Task<Outcome<CustodyLog>> CustodyAsync(Guid evidenceId, CancellationToken cancellationToken)
    {
        var found = await OnEvidenceAsync(evidenceId, (view, item, _) =>
        {
            if (view.Relation == CaseRelation.Admin)
            {
                journal.Audit("kintaraa.evidence.custody_viewed_by_admin", "evidence", item.Id, new { view.Incident.CaseNumber });
            }

            return Task.FromResult<Outcome<EvidenceItem>>(item);
        }, cancellationToken);
        return found.Error ?? (Outcome<CustodyLog>)await LogAsync(found.Value!, cancellationToken);
    }

    /// <summary>Police working the case (or an admin) record handing the evidence to someone: a court, a lab, another officer.</summary>
    public async Task<Outcome<CustodyLog>> HandOverAsync(Guid evidenceId, string recipient, string? note, CancellationToken cancellationToken)
    {
        var result = await OnEvidenceAsync(evidenceId, async (view, item, ct) =>
        {
            if (view.Relation != CaseRelation.Admin && view.Provider?.ProviderType != ProviderType.Police)
            {
                return Errors.Forbidden("police_only", "Hand-overs are recorded by the police working the case or by an admin.");
            }

            if (item.FileId is null)
            {
                return Deleted;
            }

            await AppendCustodyAsync(item, CustodyAction.HandedOver, await LabelAsync(view, ct), view.Role, recipient, note, ct);
            journal.SystemMessage(item.IncidentId, $"Evidence {item.FileName} was handed over to {recipient}.");
            return item;
        }, cancellationToken);
        return result.Error ?? (Outcome<CustodyLog>)await LogAsync(result.Value!, cancellationToken);
    }

    public async Task<Outcome<EvidenceView>> DeleteAsync(Guid evidenceId, CancellationToken cancellationToken)
    {
        Guid? content = null;
        var result = await OnEvidenceAsync(evidenceId, async (view, item, ct) =>
        {
            if (view.Relation != CaseRelation.Admin && item.UploadedBy != caller.UserId)
            {
                return Errors.Forbidden("not_uploader", "Only who added the evidence (or an admin) can delete it.");
            }

            if (item.FileId is null)
            {
                return Deleted;
            }

            if (view.Incident.LegalHoldAt is not null)
            {
                return LegalHold;
            }

            if (await db.CustodyEntries.AnyAsync(c => c.EvidenceId == item.Id && c.Action == CustodyAction.HandedOver, ct))
            {
                return InCustody;
            }

            var now = clock.GetUtcNow();
            content = item.FileId;
            item.FileId = null;
            item.DeletedAt = now;
            item.DeletedBy = caller.UserId;
            item.Description = null;
            await AppendCustodyAsync(item, CustodyAction.Deleted, await LabelAsync(view, ct), view.Role, null, null, ct);
            journal.SystemMessage(item.IncidentId, $"Evidence {item.FileName} was deleted.");
            return item;
        }, cancellationToken);
        if (result.Error is { } error)
        {
            return error;
        }

        // The record of the deletion committed; now the content goes (a failure here leaves an unreachable encrypted blob).
        var deleted = result.Value!;
        await files.DeleteAsync(content!.Value, cancellationToken);
        var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == deleted.IncidentId, cancellationToken);
        return await ViewAsync(deleted, incident, cancellationToken);
    }

    private delegate Task<Outcome<EvidenceItem>> EvidenceAction(CaseView view, EvidenceItem item, CancellationToken cancellationToken);

    /// <summary>Runs an action on evidence the caller may see, with its case and the item locked; anything else is 404.</summary>
    private async Task<Outcome<EvidenceItem>> OnEvidenceAsync(Guid evidenceId, EvidenceAction action, CancellationToken cancellationToken) =>
        await transactions.RunAsync<EvidenceItem>(async ct =>
        {
            var incidentId = await db.Evidence.Where(e => e.Id == evidenceId).Select(e => (Guid?)e.IncidentId).FirstOrDefaultAsync(ct);
            if (incidentId is null)
            {
                return EvidenceEndpoints.EvidenceNotFound;
            }

            var view = await access.FindAsync(incidentId.Value, CaseAccessMode.Write, ct);
            if (view is null || !view.IsParticipant)
            {
                return EvidenceEndpoints.EvidenceNotFound;
            }

            var item = (await db.Evidence.FromSql($"SELECT * FROM kintaraa.evidence WHERE id = {evidenceId} FOR UPDATE").ToListAsync(ct)).Single();
            return await action(view, item, ct);
        }, cancellationToken);

    private async Task AppendCustodyAsync(
        EvidenceItem item, CustodyAction action, string actor, ParticipantRole role, string? recipient, string? note, CancellationToken cancellationToken)
    {
        var last = await db.CustodyEntries.Where(c => c.EvidenceId == item.Id).OrderByDescending(c => c.Sequence)
            .Select(c => new { c.Sequence, c.EntryHash }).FirstOrDefaultAsync(cancellationToken);
        var entry = new CustodyEntry
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            EvidenceId = item.Id,
            Sequence = (last?.Sequence ?? 0) + 1,
            Action = action,
            ActorId = caller.UserId,
            ActorRole = role,
            ActorLabel = actor,
            Recipient = recipient,
            Note = note,
            Sha256 = item.Sha256,
            OccurredAt = CustodyChain.Truncate(clock.GetUtcNow()),
            PreviousHash = last?.EntryHash ?? CustodyChain.Genesis,
            EntryHash = [],
        };
        entry.EntryHash = CustodyChain.Hash(entry.PreviousHash, entry);
        db.CustodyEntries.Add(entry);
        // A download is audited by the platform as it serves the file.
        if (action != CustodyAction.Downloaded)
        {
            journal.Audit($"kintaraa.evidence.{SnakeEnum<CustodyAction>.Name(action)}", "evidence", item.Id,
                new { item.Sha256, sequence = entry.Sequence, recipient });
        }
    }

    private async Task<CustodyLog> LogAsync(EvidenceItem item, CancellationToken cancellationToken)
    {
        var entries = await db.CustodyEntries.AsNoTracking().Where(c => c.EvidenceId == item.Id).OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        var broken = CustodyChain.FirstBreak(entries);
        return new CustodyLog(item.Id, item.FileName, item.Sha256, broken is null, broken,
            [.. entries.Select(c => new CustodyEntryView(c.Sequence, c.Action, c.ActorRole, c.ActorLabel, c.Recipient, c.Note, c.Sha256, c.OccurredAt,
                Convert.ToHexStringLower(c.PreviousHash), Convert.ToHexStringLower(c.EntryHash)))]);
    }

    /// <summary>How custody records name who acted: a provider by name, organisation and type; the survivor by name or handle.</summary>
    private async Task<string> LabelAsync(CaseView view, CancellationToken cancellationToken) => view.Relation switch
    {
        CaseRelation.Provider => $"{view.Provider!.DisplayName} ({view.Provider.Organisation}, {SnakeEnum<ProviderType>.Name(view.Provider.ProviderType)})",
        CaseRelation.Survivor => $"survivor {await survivors.SpeakerAsync(view.Incident, cancellationToken)}",
        _ => $"coordinator {caller.UserId:D}",
    };

    private async Task<EvidenceView> ViewAsync(EvidenceItem item, Incident incident, CancellationToken cancellationToken)
    {
        var first = await db.CustodyEntries.AsNoTracking().Where(c => c.EvidenceId == item.Id && c.Sequence == 1).Select(c => c.ActorLabel).FirstOrDefaultAsync(cancellationToken);
        var handedTo = await db.CustodyEntries.AsNoTracking().Where(c => c.EvidenceId == item.Id && c.Action == CustodyAction.HandedOver)
            .OrderByDescending(c => c.Sequence).Select(c => c.Recipient).FirstOrDefaultAsync(cancellationToken);
        var uploader = item.UploaderRole == ParticipantRole.Survivor ? $"survivor {await survivors.SpeakerAsync(incident, cancellationToken)}" : first ?? "";
        return new EvidenceView(item.Id, item.IncidentId, item.Kind, item.FileName, item.ContentType, item.SizeBytes, item.Sha256, item.Description,
            item.UploaderRole, uploader, item.CreatedAt, item.DeletedAt, handedTo);
    }

    private static string Capitalised(EvidenceKind kind) => kind switch
    {
        EvidenceKind.Photo => "Photo",
        EvidenceKind.Audio => "Audio recording",
        EvidenceKind.Video => "Video",
        _ => "Document",
    };
}
