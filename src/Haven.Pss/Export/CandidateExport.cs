using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Haven.Pss.Intake;
using Haven.Pss.Journal;
using Haven.Pss.Profiles;
using Microsoft.EntityFrameworkCore;
using Haven.Pss.Data;

namespace Haven.Pss.Export;

/// <summary>
/// Everything PSS holds about a candidate that the candidate may see: account, profile, every intake submission with
/// the questions it answered, every journal entry. Staff notes are never part of it, whoever asks.
/// </summary>
public sealed record CandidateExport(
    DateTimeOffset ExportedAt,
    ExportedCandidate Candidate,
    ProfileView Profile,
    IReadOnlyList<IntakeSubmissionView> IntakeSubmissions,
    IReadOnlyList<JournalEntryView> JournalEntries);

public sealed record ExportedCandidate(Guid Id, string? Email, string? DisplayName, Guid? TenantId);

public sealed class ExportService(PssDbContext db, CandidateAccess access, IntakeService intake, JournalService journal, PssAudit audit, TimeProvider clock)
{
    public const string ExportedAction = "pss.candidate_data.exported";

    public async Task<Outcome<CandidateExport>> ExportAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var found = await access.ReadAsync(candidateId, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var candidate = found.Value!;
        var profile = await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == candidateId, cancellationToken);
        var export = new CandidateExport(
            clock.GetUtcNow(),
            new ExportedCandidate(candidate.Id, candidate.Email, candidate.DisplayName, candidate.TenantId),
            profile is null ? ProfileView.Empty(candidateId) : ProfileView.From(profile),
            await intake.AllForExportAsync(candidateId, candidate.TenantId, cancellationToken),
            await journal.AllForExportAsync(candidateId, cancellationToken));
        await audit.ReadAsync(new PssAuditEvent(ExportedAction, "candidate_data", candidateId, candidate.TenantId), cancellationToken);
        return export;
    }
}
