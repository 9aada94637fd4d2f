using System.Text.Json.Nodes;

namespace Haven.Pss.Intake;

/// <summary>One published version of an intake form. <c>tenant_id</c> null is the default form.</summary>
public sealed record IntakeFormView(Guid Id, Guid? TenantId, int Version, string Title, FormDefinition Definition, DateTimeOffset CreatedAt, bool IsCurrent);

/// <summary>Publishes a new version of a programme's intake form (or, for a superuser with no <c>tenant_id</c>, of the default form).</summary>
public sealed record PublishFormRequest(Guid? TenantId, FormDefinition? Definition);

/// <summary>
/// Answers to a form version (<c>form_id</c>, from <c>GET /api/pss/intake/form</c>). <c>id</c> is optional and
/// client-generated: sending the same submission again with the same id returns the first one instead of a duplicate.
/// </summary>
public sealed record SubmitIntakeRequest(Guid? Id, Guid? FormId, JsonObject? Responses);

/// <summary>A submission with the form version it answered, so old submissions read correctly after the form changes.</summary>
public sealed record IntakeSubmissionView(Guid Id, Guid UserId, IntakeFormView Form, JsonObject Responses, DateTimeOffset SubmittedAt);

public sealed record IntakeSubmissionSummary(Guid Id, Guid UserId, Guid FormId, int FormVersion, Guid? FormTenantId, DateTimeOffset SubmittedAt);
