namespace Haven.Kintaraa.Data;

/// <summary>A service provider's profile: who they are, where, when they work and how much they can take on.</summary>
public sealed class Provider
{
    public Guid Id { get; set; }

    /// <summary>The platform user (holder of a <c>kintaraa.provider</c> grant) this profile belongs to.</summary>
    public Guid UserId { get; set; }

    /// <summary>The provider organisation (platform tenant), when the grant names one.</summary>
    public Guid? TenantId { get; set; }

    public ProviderType ProviderType { get; set; }

    public required string DisplayName { get; set; }

    public required string Organisation { get; set; }

    public List<string> Specialisations { get; set; } = [];

    /// <summary>What the provider offers, in their words (e.g. "PEP", "P3 form", "safe house").</summary>
    public List<string> Services { get; set; } = [];

    public string? Phone { get; set; }

    public string? Address { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    /// <summary>IANA time zone the working hours are in.</summary>
    public required string TimeZone { get; set; }

    public List<WorkingPeriod> WorkingHours { get; set; } = [];

    public bool IsAvailable { get; set; }

    /// <summary>Takes critical cases outside working hours.</summary>
    public bool OnCall { get; set; }

    public int Capacity { get; set; }

    /// <summary>Active referrals (pending or accepted) held; changed only by conditional SQL updates.</summary>
    public int Caseload { get; set; }

    public bool IsVerified { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public Guid? VerifiedBy { get; set; }

    public decimal? Rating { get; set; }

    public int RatingCount { get; set; }

    /// <summary>Mean minutes from being offered a referral to answering it.</summary>
    public int? ResponseTimeMinutes { get; set; }

    public int ResponseCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>One weekly stretch of working time, in the provider's time zone; an end before the start runs past midnight.</summary>
public sealed record WorkingPeriod(DayOfWeek Day, TimeOnly Start, TimeOnly End);

/// <summary>A reported incident: the case everyone works through.</summary>
public sealed class Incident
{
    public Guid Id { get; set; }

    /// <summary><c>KIN-YYMMDDNNN</c>.</summary>
    public required string CaseNumber { get; set; }

    /// <summary>Pseudonymous handle shown instead of the survivor's identity (e.g. <c>S-7QK2MX</c>).</summary>
    public required string Handle { get; set; }

    /// <summary>The reporting survivor; null once their account was deleted while the case is kept under a legal hold.</summary>
    public Guid? SurvivorId { get; set; }

    public bool IsAnonymous { get; set; }

    /// <summary>Keyed hash of the receipt code an anonymous reporter returns with; never the code itself.</summary>
    public byte[]? ReceiptCodeHash { get; set; }

    public CaseSource Source { get; set; }

    /// <summary>Null for an SOS alert until a provider classifies it.</summary>
    public IncidentType? Type { get; set; }

    public CaseStatus Status { get; set; }

    public Priority Priority { get; set; }

    public Severity? Severity { get; set; }

    public DateOnly? IncidentDate { get; set; }

    public TimeOnly? IncidentTime { get; set; }

    /// <summary>Encrypted at rest.</summary>
    public string? Description { get; set; }

    /// <summary>Where it happened, already reduced to <see cref="LocationPrecision"/>; stored encrypted as <see cref="LocationData"/>.</summary>
    public CaseLocation? Location
    {
        get => LocationData is null ? null : JsonColumn.Read<CaseLocation>(LocationData);
        set => LocationData = value is null ? null : JsonColumn.Write(value);
    }

    /// <summary>The location as JSON: the encrypted column.</summary>
    public string? LocationData { get; set; }

    public LocationPrecision LocationPrecision { get; set; }

    public List<SupportService> SupportServices { get; set; } = [];

    public string? LegalHoldReason { get; set; }

    public DateTimeOffset? LegalHoldAt { get; set; }

    public Guid? LegalHoldBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When a provider first accepted part of the case.</summary>
    public DateTimeOffset? FirstAcceptedAt { get; set; }

    /// <summary>When a provider first wrote to the survivor.</summary>
    public DateTimeOffset? FirstResponseAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>Where it happened, as precisely as the survivor allowed.</summary>
public sealed record CaseLocation(double? Latitude, double? Longitude, string? Address, string? Description);

/// <summary>Per-day case-number counter, incremented atomically so concurrent reports never share a number.</summary>
public sealed class CaseNumberCounter
{
    public DateOnly Day { get; set; }

    public int LastValue { get; set; }
}

/// <summary>A survivor's decision about one support service on one case; the latest row for a service is in force.</summary>
public sealed class Consent
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public SupportService Service { get; set; }

    public bool Granted { get; set; }

    public ConsentMethod Method { get; set; }

    public Guid? RecordedBy { get; set; }

    public ParticipantRole RecordedByRole { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>One offer of one service of a case to one provider (or to the admin queue while no provider fits).</summary>
public sealed class Referral
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public SupportService Service { get; set; }

    public ProviderType ProviderType { get; set; }

    /// <summary>Null while the referral waits in the admin queue.</summary>
    public Guid? ProviderId { get; set; }

    public ReferralKind Kind { get; set; }

    public ReferralStatus Status { get; set; }

    /// <summary>1-based attempt number for this service on this case (re-routing increments it).</summary>
    public int Attempt { get; set; }

    public decimal? Score { get; set; }

    public double? DistanceKm { get; set; }

    /// <summary>Why this provider was chosen (or why none could be): shown to admins.</summary>
    public RoutingTrace? Routing { get; set; }

    public Guid? ReferredBy { get; set; }

    public Guid? FromProviderId { get; set; }

    public Guid? PreviousReferralId { get; set; }

    public string? Note { get; set; }

    public string? DeclineCode { get; set; }

    public string? DeclineReason { get; set; }

    public string? RevokeReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the current provider was offered the referral (later than creation for a referral that waited in the queue).</summary>
    public DateTimeOffset? OfferedAt { get; set; }

    /// <summary>When an unanswered offer lapses and the service is re-routed.</summary>
    public DateTimeOffset? RespondBy { get; set; }

    public DateTimeOffset? RespondedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When the admin queue was last alerted about this referral.</summary>
    public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>The survivor's 1–5 rating of this provider's help, once the referral is done.</summary>
    public short? Rating { get; set; }

    public int Version { get; set; }

    public bool IsActive => Status is ReferralStatus.Pending or ReferralStatus.Accepted;
}

/// <summary>The routing decision behind a referral, kept for admins.</summary>
public sealed record RoutingTrace(
    int Considered,
    IReadOnlyDictionary<string, int> Excluded,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<RoutingAlternative> RunnersUp);

public sealed record RoutingAlternative(Guid ProviderId, string Organisation, decimal Score, double? DistanceKm);

public sealed class Message
{
    public Guid Id { get; set; }

    /// <summary>Global order of messages; read cursors and paging use it.</summary>
    public long Seq { get; set; }

    public Guid IncidentId { get; set; }

    public Guid? SenderId { get; set; }

    public ParticipantRole SenderRole { get; set; }

    public Guid? SenderProviderId { get; set; }

    public MessageKind Kind { get; set; }

    /// <summary>Encrypted at rest.</summary>
    public required string Body { get; set; }

    public Guid? EvidenceId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How far one participant has read a case's conversation.</summary>
public sealed class ReadCursor
{
    public Guid IncidentId { get; set; }

    public Guid UserId { get; set; }

    public ParticipantRole Role { get; set; }

    public long LastReadSeq { get; set; }

    public DateTimeOffset ReadAt { get; set; }
}

public sealed class EvidenceItem
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public Guid UploadedBy { get; set; }

    public ParticipantRole UploaderRole { get; set; }

    public EvidenceKind Kind { get; set; }

    /// <summary>The platform's encrypted file; null once the content was deleted.</summary>
    public Guid? FileId { get; set; }

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>SHA-256 of the content as uploaded (lower-case hex).</summary>
    public required string Sha256 { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public Guid? DeletedBy { get; set; }
}

/// <summary>One link in an evidence item's chain of custody; each entry commits to the previous one.</summary>
public sealed class CustodyEntry
{
    public Guid Id { get; set; }

    public Guid EvidenceId { get; set; }

    public int Sequence { get; set; }

    public CustodyAction Action { get; set; }

    public Guid? ActorId { get; set; }

    public ParticipantRole ActorRole { get; set; }

    /// <summary>Who acted, as custody records name them (organisation and provider, or the survivor's handle).</summary>
    public required string ActorLabel { get; set; }

    /// <summary>Who received the evidence in a hand-over.</summary>
    public string? Recipient { get; set; }

    public string? Note { get; set; }

    /// <summary>The content hash at the time of the action.</summary>
    public required string Sha256 { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public required byte[] PreviousHash { get; set; }

    public required byte[] EntryHash { get; set; }
}

public sealed class Appointment
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public Guid ProviderId { get; set; }

    public AppointmentKind Kind { get; set; }

    public required string Title { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset? EndsAt { get; set; }

    public string? Location { get; set; }

    public AppointmentStatus Status { get; set; }

    /// <summary>The latest reminder sent (lead time in minutes), so each reminder goes out once.</summary>
    public int? LastReminderMinutes { get; set; }

    public Guid CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}

public sealed class CaseNote
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public Guid AuthorId { get; set; }

    public ParticipantRole AuthorRole { get; set; }

    public Guid? ProviderId { get; set; }

    public ProviderType? AuthorProviderType { get; set; }

    public NoteKind Kind { get; set; }

    /// <summary>Encrypted at rest.</summary>
    public required string Body { get; set; }

    public bool SharedWithSurvivor { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class SafetyPlan
{
    public Guid UserId { get; set; }

    public SafetyPlanContent Content
    {
        get => JsonColumn.Read<SafetyPlanContent>(ContentData);
        set => ContentData = JsonColumn.Write(value);
    }

    /// <summary>The plan as JSON: the encrypted column.</summary>
    public string ContentData { get; set; } = "{}";

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}

public sealed record SafetyPlanContent(
    IReadOnlyList<string> WarningSigns,
    IReadOnlyList<string> SafePlaces,
    IReadOnlyList<string> CopingStrategies,
    IReadOnlyList<string> PeopleToContact,
    IReadOnlyList<string> ItemsToPack,
    string? EscapePlan,
    string? CodeWord);

public sealed class EmergencyContact
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Encrypted at rest.</summary>
    public required string Name { get; set; }

    /// <summary>Encrypted at rest.</summary>
    public required string Phone { get; set; }

    public string? Relationship { get; set; }

    public bool NotifyOnSos { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>What one applied offline-sync operation answered, kept so a resent operation gets the same answer.</summary>
public sealed class SyncOperationRecord
{
    public Guid UserId { get; set; }

    public Guid OpId { get; set; }

    public string Type { get; set; } = "";

    /// <summary>The operation's result as JSON (ids, case number, version; no content).</summary>
    public string Result { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }
}
