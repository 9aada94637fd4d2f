using Haven.Platform.Web;
using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Haven.Pss.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Profiles;

/// <summary>Reads (always audited) and replaces a candidate's support profile.</summary>
public sealed class ProfileService(PssDbContext db, CandidateAccess access, PssAudit audit, PssChanges changes, TimeProvider clock)
{
    public const string ViewedAction = "pss.medical_profile.viewed";
    public const string UpdatedAction = "pss.medical_profile.updated";

    public static Error VersionConflict(int current) =>
        Errors.Conflict("version_conflict", "Someone else changed this since you read it.", "Reload to see their changes, then try again.")
            with { Extensions = new Dictionary<string, object?> { ["current_version"] = current } };

    public async Task<Outcome<ProfileView>> GetAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var candidate = await access.ReadAsync(candidateId, cancellationToken);
        if (candidate.Failed)
        {
            return candidate.Error!;
        }

        var profile = await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == candidateId, cancellationToken);
        await audit.ReadAsync(new PssAuditEvent(ViewedAction, "medical_profile", candidateId, candidate.Value!.TenantId), cancellationToken);
        return profile is null ? ProfileView.Empty(candidateId) : ProfileView.From(profile);
    }

    public async Task<Outcome<ProfileView>> UpdateAsync(Guid candidateId, IReadOnlyDictionary<string, string?> values, int? version, CancellationToken cancellationToken)
    {
        var candidate = await access.ReadAsync(candidateId, cancellationToken);
        if (candidate.Failed)
        {
            return candidate.Error!;
        }

        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var cleaned = ProfileFields.All.ToDictionary(f => f, f => ProfileFields.Clean(values.GetValueOrDefault(f)));
        foreach (var (field, value) in cleaned)
        {
            ProfileFields.Validate(field, value, DateOnly.FromDateTime(now.UtcDateTime), errors);
        }

        errors.When(version is null or < 0, "version", "Send the version you read (0 for a profile never saved), so a newer change is not overwritten.");
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.UserId == candidateId, cancellationToken);
        if ((profile?.Version ?? 0) != version)
        {
            return VersionConflict(profile?.Version ?? 0);
        }

        if (profile is null)
        {
            profile = new Profile { UserId = candidateId, CreatedAt = now };
            db.Profiles.Add(profile);
        }

        foreach (var (field, value) in cleaned)
        {
            ProfileFields.Set(profile, field, value);
        }

        profile.Version = version!.Value + 1;
        profile.UpdatedAt = now;
        try
        {
            await audit.SaveChangesAsync(db, new PssAuditEvent(UpdatedAction, "medical_profile", candidateId, candidate.Value!.TenantId), cancellationToken, changed: profile);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || Database.IsUniqueViolation(e))
        {
            // Another request created or saved the profile first: the same conflict as a stale version.
            return VersionConflict(await db.Profiles.AsNoTracking().Where(p => p.UserId == candidateId).Select(p => p.Version).FirstOrDefaultAsync(cancellationToken));
        }

        changes.Changed();
        return ProfileView.From(profile);
    }
}
