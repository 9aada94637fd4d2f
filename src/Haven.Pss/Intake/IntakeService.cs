using System.Text.Json.Nodes;
using Haven.Platform.Web;
using Haven.Pss.Access;
using Haven.Pss.Auditing;
using Haven.Pss.Data;
using Haven.Pss.Profiles;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Intake;

/// <summary>
/// Versioned intake forms and the candidates' submissions. A programme's current form is its latest published version,
/// or the latest default version while it has none of its own. Publishing never edits a version, so a submission is
/// always read against the questions it answered.
/// </summary>
public sealed class IntakeService(PssDbContext db, PssCaller caller, CandidateAccess access, PssAudit audit, PssChanges changes, TimeProvider clock)
{
    public const string SubmittedAction = "pss.intake.submitted";
    public const string ViewedAction = "pss.intake.viewed";
    public const string PublishedAction = "pss.intake_form.published";

    private static readonly Error FormNotFound = Errors.NotFound("Intake form");
    private static readonly Error SubmissionNotFound = Errors.NotFound("Intake submission");

    /// <summary>The form a candidate in <paramref name="tenantId"/> answers now.</summary>
    public async Task<IntakeForm> CurrentFormAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        var own = tenantId is null ? null : await db.IntakeForms.AsNoTracking().Where(f => f.TenantId == tenantId)
            .OrderByDescending(f => f.Version).FirstOrDefaultAsync(cancellationToken);
        return own ?? await db.IntakeForms.AsNoTracking().Where(f => f.TenantId == null).OrderByDescending(f => f.Version).FirstAsync(cancellationToken);
    }

    /// <summary>The caller's current form: a candidate's programme's; staff name a programme they administer (or get the default).</summary>
    public async Task<Outcome<IntakeFormView>> CurrentForCallerAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        Guid? scope;
        if (caller.IsStaff)
        {
            tenantId ??= caller.AdminTenants.Count == 1 && !caller.IsSuperuser ? caller.AdminTenants[0] : null;
            if (tenantId is not null && caller.StatsScope(tenantId) is { Count: 0 })
            {
                return FormNotFound;
            }

            scope = tenantId;
        }
        else
        {
            var self = await access.SelfAsync(cancellationToken);
            if (self.Failed)
            {
                return self.Error!;
            }

            scope = self.Value!.TenantId;
        }

        var form = await CurrentFormAsync(scope, cancellationToken);
        return View(form, true);
    }

    public async Task<Outcome<IntakeFormView>> FormAsync(Guid formId, CancellationToken cancellationToken)
    {
        var form = await db.IntakeForms.AsNoTracking().FirstOrDefaultAsync(f => f.Id == formId, cancellationToken);
        if (form is null || !await MayReadFormAsync(form, cancellationToken))
        {
            return FormNotFound;
        }

        var current = await CurrentFormAsync(form.TenantId, cancellationToken);
        return View(form, current.Id == form.Id);
    }

    /// <summary>Every version of the forms a staff member's programmes use (their own and the default), newest first.</summary>
    public async Task<IReadOnlyList<IntakeFormView>> ListFormsAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        var scope = caller.StatsScope(tenantId);
        var query = db.IntakeForms.AsNoTracking();
        if (scope is not null)
        {
            var tenants = scope.ToList();
            query = query.Where(f => f.TenantId == null || tenants.Contains(f.TenantId.Value));
        }

        var forms = await query.OrderBy(f => f.TenantId).ThenByDescending(f => f.Version).ToListAsync(cancellationToken);
        var latest = forms.GroupBy(f => f.TenantId).Select(g => g.First().Id).ToHashSet();
        return [.. forms.Select(f => View(f, latest.Contains(f.Id)))];
    }

    public async Task<Outcome<IntakeFormView>> PublishAsync(Guid? tenantId, FormDefinition? definition, CancellationToken cancellationToken)
    {
        if (!caller.IsSuperuser)
        {
            tenantId ??= caller.AdminTenants.Count == 1 ? caller.AdminTenants[0] : null;
            if (tenantId is null)
            {
                return Errors.Validation("tenant_id", "Name the programme whose form this is.");
            }

            if (!caller.AdminTenants.Contains(tenantId.Value))
            {
                return Errors.NotFound("Programme");
            }
        }

        if (FormRules.ValidateDefinition(definition).AsError() is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var latest = await db.IntakeForms.Where(f => f.TenantId == tenantId).MaxAsync(f => (int?)f.Version, cancellationToken) ?? 0;
        var form = new IntakeForm
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            Version = latest + 1,
            Title = definition!.Title.Trim(),
            Definition = definition.ToJson(),
            CreatedAt = now,
            CreatedBy = caller.UserId,
        };
        db.IntakeForms.Add(form);
        try
        {
            await audit.SaveChangesAsync(db, new PssAuditEvent(PublishedAction, "intake_form", form.Id, tenantId, $"version {form.Version}"), cancellationToken);
        }
        catch (DbUpdateException e) when (Database.IsUniqueViolation(e))
        {
            return Errors.Conflict("version_conflict", "Someone else published a new version of this form at the same time.", "Reload the form and try again.");
        }

        return View(form, true);
    }

    public async Task<Outcome<(IntakeSubmissionView Submission, bool Created)>> SubmitAsync(SubmitIntakeRequest request, CancellationToken cancellationToken)
    {
        var self = await access.SelfAsync(cancellationToken);
        if (self.Failed)
        {
            return self.Error!;
        }

        var candidate = self.Value!;
        if (request.Id is { } clientId && await db.IntakeSubmissions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == clientId, cancellationToken) is { } earlier)
        {
            return earlier.UserId == candidate.Id && earlier.FormId == request.FormId
                ? (await ViewAsync(earlier, candidate.TenantId, cancellationToken), false)
                : Errors.Conflict("id_conflict", "Another submission already has this id.");
        }

        var current = await CurrentFormAsync(candidate.TenantId, cancellationToken);
        if (request.FormId != current.Id)
        {
            var known = await db.IntakeForms.AsNoTracking().AnyAsync(f => f.Id == request.FormId && (f.TenantId == null || f.TenantId == candidate.TenantId), cancellationToken);
            return known
                ? Errors.Conflict("form_version_outdated", "The intake form has changed since you opened it.", "Answer the current version of the form.")
                    with { Extensions = new Dictionary<string, object?> { ["current_form_id"] = current.Id, ["current_version"] = current.Version } }
                : Errors.Validation("form_id", "This is not an intake form you can answer.");
        }

        var now = clock.GetUtcNow();
        var definition = FormDefinition.FromJson(current.Definition);
        var (answers, errors) = FormRules.ValidateResponses(definition, request.Responses, DateOnly.FromDateTime(now.UtcDateTime));
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var submission = new IntakeSubmission
        {
            Id = request.Id ?? Guid.CreateVersion7(now),
            UserId = candidate.Id,
            FormId = current.Id,
            Responses = answers.ToJsonString(),
            SubmittedAt = now,
        };
        try
        {
            // The submission and the profile it fills in commit together, each with its audit entry.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.IntakeSubmissions.Add(submission);
            var profile = await FillProfileAsync(candidate.Id, definition, answers, now, cancellationToken);
            await audit.AppendAsync(db, new PssAuditEvent(ProfileService.UpdatedAction, "medical_profile", candidate.Id, candidate.TenantId, "filled in from an intake form"), profile, cancellationToken);
            await audit.SaveChangesAsync(db, new PssAuditEvent(SubmittedAction, "intake_submission", submission.Id, candidate.TenantId, $"form version {current.Version}"), cancellationToken, changed: submission);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || Database.IsUniqueViolation(e))
        {
            // A retry racing the first attempt, or a profile save in between: the client sends it again and gets a clean answer.
            return Errors.Conflict("version_conflict", "Your profile changed while the form was being saved.", "Submit the form again.");
        }

        changes.Changed();
        return (await ViewAsync(submission, candidate.TenantId, cancellationToken), true);
    }

    public async Task<Outcome<IReadOnlyList<IntakeSubmissionSummary>>> SubmissionsAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var candidate = await access.ReadAsync(candidateId, cancellationToken);
        if (candidate.Failed)
        {
            return candidate.Error!;
        }

        var rows = await db.IntakeSubmissions.AsNoTracking().Where(s => s.UserId == candidateId)
            .Join(db.IntakeForms, s => s.FormId, f => f.Id, (s, f) => new { s.Id, s.UserId, FormId = f.Id, f.Version, f.TenantId, s.SubmittedAt })
            .OrderByDescending(s => s.SubmittedAt).ThenBy(s => s.Id)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new IntakeSubmissionSummary(r.Id, r.UserId, r.FormId, r.Version, r.TenantId, r.SubmittedAt)).ToList();
    }

    public async Task<Outcome<IntakeSubmissionView>> SubmissionAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.IntakeSubmissions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null)
        {
            return SubmissionNotFound;
        }

        var candidate = await access.ReadAsync(submission.UserId, cancellationToken);
        if (candidate.Failed)
        {
            return SubmissionNotFound;
        }

        await audit.ReadAsync(new PssAuditEvent(ViewedAction, "intake_submission", submission.Id, candidate.Value!.TenantId), cancellationToken);
        return await ViewAsync(submission, candidate.Value.TenantId, cancellationToken);
    }

    /// <summary>Every submission of a candidate with its form, for the data export (access already decided).</summary>
    internal async Task<IReadOnlyList<IntakeSubmissionView>> AllForExportAsync(Guid candidateId, Guid? tenantId, CancellationToken cancellationToken)
    {
        var submissions = await db.IntakeSubmissions.AsNoTracking().Where(s => s.UserId == candidateId).OrderBy(s => s.SubmittedAt).ToListAsync(cancellationToken);
        var views = new List<IntakeSubmissionView>();
        foreach (var submission in submissions)
        {
            views.Add(await ViewAsync(submission, tenantId, cancellationToken));
        }

        return views;
    }

    private async Task<Profile> FillProfileAsync(Guid candidateId, FormDefinition definition, JsonObject answers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.UserId == candidateId, cancellationToken);
        if (profile is null)
        {
            profile = new Profile { UserId = candidateId, CreatedAt = now };
            db.Profiles.Add(profile);
        }

        foreach (var field in definition.Fields.Where(f => f.MapsTo is not null))
        {
            if (answers[field.Key] is JsonValue value && value.TryGetValue(out string? text))
            {
                ProfileFields.Set(profile, field.MapsTo!, text);
            }
        }

        profile.IntakeCompletedAt ??= now;
        profile.Version++;
        profile.UpdatedAt = now;
        return profile;
    }

    private async Task<bool> MayReadFormAsync(IntakeForm form, CancellationToken cancellationToken)
    {
        if (form.TenantId is null)
        {
            return true;
        }

        if (caller.IsStaff)
        {
            return caller.Covers([form.TenantId.Value]);
        }

        var self = await access.SelfAsync(cancellationToken);
        return self.Value?.TenantId == form.TenantId;
    }

    /// <summary>A submission with its form; <c>is_current</c> says whether the candidate's programme still uses that version.</summary>
    private async Task<IntakeSubmissionView> ViewAsync(IntakeSubmission submission, Guid? candidateTenant, CancellationToken cancellationToken)
    {
        var form = await db.IntakeForms.AsNoTracking().FirstAsync(f => f.Id == submission.FormId, cancellationToken);
        var current = await CurrentFormAsync(candidateTenant, cancellationToken);
        return new IntakeSubmissionView(submission.Id, submission.UserId, View(form, current.Id == form.Id), JsonNode.Parse(submission.Responses)!.AsObject(), submission.SubmittedAt);
    }

    private static IntakeFormView View(IntakeForm form, bool isCurrent) =>
        new(form.Id, form.TenantId, form.Version, form.Title, FormDefinition.FromJson(form.Definition), form.CreatedAt, isCurrent);
}
