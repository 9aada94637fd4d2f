using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Evidence;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Files;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.SelfService;

/// <summary>One case in the export; evidence is listed with where to download it (the files themselves stay in encrypted storage).</summary>
public sealed record ExportedCase(
    IncidentDetail Case,
    IReadOnlyList<MessageView> Messages,
    IReadOnlyList<NoteView> SharedNotes,
    IReadOnlyList<AppointmentView> Appointments,
    IReadOnlyList<ExportedEvidence> Evidence);

public sealed record ExportedEvidence(Guid Id, EvidenceKind Kind, string FileName, string ContentType, long SizeBytes, string Sha256, string? Description,
    DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt, string? Download);

public sealed record SurvivorExport(
    DateTimeOffset ExportedAt,
    IReadOnlyList<ExportedCase> Cases,
    SafetyPlanView SafetyPlan,
    IReadOnlyList<EmergencyContactView> EmergencyContacts);

public sealed record KeptCase(string CaseNumber, string Reason, DateTimeOffset HeldSince);

/// <summary>What erasure did: cases deleted, cases kept under a legal hold (with the reason), and whether the whole account went.</summary>
public sealed record DeletionResult(IReadOnlyList<string> DeletedCases, IReadOnlyList<KeptCase> KeptCases, bool AccountDeleted);

/// <summary>A survivor's rights over their data: a complete export, and erasure except where a legal hold requires keeping a case.</summary>
public sealed class SurvivorData(
    KintaraaDbContext db,
    KintaraaCaller caller,
    CaseAccess access,
    CaseReader reader,
    ChatService chat,
    CaseTransactions transactions,
    CaseJournal journal,
    AccountClosure accounts,
    IFileStore files,
    TimeProvider clock)
{
    public async Task<SurvivorExport> ExportAsync(CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        var ids = await db.Incidents.AsNoTracking().Where(i => i.SurvivorId == me).OrderBy(i => i.CreatedAt).Select(i => i.Id).ToListAsync(cancellationToken);
        var cases = new List<ExportedCase>();
        foreach (var id in ids)
        {
            var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
            if (view is not { Relation: CaseRelation.Survivor })
            {
                continue;
            }

            var notes = await db.CaseNotes.AsNoTracking().Where(n => n.IncidentId == id && n.SharedWithSurvivor).OrderBy(n => n.CreatedAt).ToListAsync(cancellationToken);
            var providers = await db.Providers.AsNoTracking()
                .Where(p => db.Appointments.Any(a => a.IncidentId == id && a.ProviderId == p.Id) || db.CaseNotes.Any(n => n.IncidentId == id && n.ProviderId == p.Id))
                .ToDictionaryAsync(p => p.Id, cancellationToken);
            var appointments = await db.Appointments.AsNoTracking().Where(a => a.IncidentId == id).OrderBy(a => a.StartsAt).ToListAsync(cancellationToken);
            var evidence = await db.Evidence.AsNoTracking().Where(e => e.IncidentId == id).OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken);
            cases.Add(new ExportedCase(
                await reader.DetailAsync(view, cancellationToken),
                await chat.AllAsync(view, cancellationToken),
                [.. notes.Select(n => new NoteView(n.Id, n.IncidentId, n.Kind, n.Body, n.SharedWithSurvivor, n.AuthorRole, n.AuthorProviderType,
                    n.ProviderId is { } p && providers.TryGetValue(p, out var author) ? $"{author.DisplayName} ({author.Organisation})" : "Coordinator", n.CreatedAt))],
                [.. appointments.Select(a => CareWorkEndpoints.ToView(a, providers[a.ProviderId]))],
                [.. evidence.Select(e => new ExportedEvidence(e.Id, e.Kind, e.FileName, e.ContentType, e.SizeBytes, e.Sha256, e.Description, e.CreatedAt, e.DeletedAt,
                    e.FileId is null ? null : $"/api/kintaraa/evidence/{e.Id}"))]));
        }

        var plan = await db.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == me, cancellationToken);
        var contacts = await db.EmergencyContacts.AsNoTracking().Where(c => c.UserId == me).OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken);
        journal.Audit("kintaraa.data.exported", "user", me, new { cases = cases.Count });
        await journal.FlushAsync(cancellationToken);
        return new SurvivorExport(clock.GetUtcNow(), cases, SelfServiceEndpoints.ToView(plan), [.. contacts.Select(SelfServiceEndpoints.ToView)]);
    }

    /// <summary>
    /// Erases the survivor's Kintaraa data. A case under a legal hold is kept but loses its link to the survivor (and
    /// its receipt code); every other case is deleted with its conversation, notes, appointments, referrals and
    /// evidence, and the providers' places it held are freed.
    /// </summary>
    public async Task<DeletionResult> DeleteAsync(CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        var deleted = new List<string>();
        var kept = new List<KeptCase>();
        var ids = await db.Incidents.AsNoTracking().Where(i => i.SurvivorId == me).Select(i => i.Id).ToListAsync(cancellationToken);
        foreach (var id in ids)
        {
            List<Guid> content = [];
            await transactions.RunAsync<bool>(async ct =>
            {
                var incident = (await db.Incidents.FromSql($"SELECT * FROM kintaraa.incidents WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
                if (incident is null || incident.SurvivorId != me)
                {
                    return false;
                }

                if (incident.LegalHoldAt is { } since)
                {
                    incident.SurvivorId = null;
                    incident.ReceiptCodeHash = null;
                    incident.UpdatedAt = clock.GetUtcNow();
                    incident.Version++;
                    journal.SystemMessage(id, "The survivor deleted their account. The case is kept because of a legal hold.");
                    journal.Audit("kintaraa.case.detached_under_hold", "incident", id, new { incident.CaseNumber, incident.LegalHoldReason });
                    kept.Add(new KeptCase(incident.CaseNumber, incident.LegalHoldReason ?? "", since));
                    return true;
                }

                await db.Database.ExecuteSqlAsync($"""
                    UPDATE kintaraa.providers p SET caseload = greatest(p.caseload - held.n, 0)
                    FROM (SELECT provider_id, count(*)::int AS n FROM kintaraa.referrals
                          WHERE incident_id = {id} AND status IN ('pending', 'accepted') AND provider_id IS NOT NULL
                          GROUP BY provider_id) held
                    WHERE p.id = held.provider_id
                    """, ct);
                content = await db.Evidence.Where(e => e.IncidentId == id && e.FileId != null).Select(e => e.FileId!.Value).ToListAsync(ct);
                db.Incidents.Remove(incident);
                journal.Audit("kintaraa.case.erased", "incident", id, new { incident.CaseNumber, evidence_files = content.Count });
                deleted.Add(incident.CaseNumber);
                return true;
            }, cancellationToken);

            // An erased case's evidence content follows it (the rows went with the case; a held case lists none).
            foreach (var file in content)
            {
                await files.DeleteAsync(file, cancellationToken);
            }
        }

        await db.SafetyPlans.Where(p => p.UserId == me).ExecuteDeleteAsync(cancellationToken);
        await db.SyncOperations.Where(o => o.UserId == me).ExecuteDeleteAsync(cancellationToken);
        await db.EmergencyContacts.Where(c => c.UserId == me).ExecuteDeleteAsync(cancellationToken);
        await db.ReadCursors.Where(c => c.UserId == me).ExecuteDeleteAsync(cancellationToken);
        journal.Audit("kintaraa.data.erased", "user", me, new { deleted = deleted.Count, kept = kept.Count });
        await journal.FlushAsync(cancellationToken);
        var accountDeleted = await accounts.CloseAsync(me, cancellationToken);
        return new DeletionResult(deleted, kept, accountDeleted);
    }
}
