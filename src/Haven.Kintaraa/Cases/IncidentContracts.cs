using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Cases;

public sealed record LocationInput(
    [property: Range(-90.0, 90.0)] double? Latitude,
    [property: Range(-180.0, 180.0)] double? Longitude,
    [property: StringLength(300)] string? Address,
    [property: StringLength(300)] string? Description);

/// <summary>A survivor's report. <c>id</c> is the client's own id for the report: sending the same report again (a retry, the offline sync) returns the case already made.</summary>
public sealed record ReportIncidentRequest(
    Guid? Id,
    [property: Required] IncidentType? Type,
    Priority? Priority,
    Severity? Severity,
    DateOnly? IncidentDate,
    TimeOnly? IncidentTime,
    [property: StringLength(10_000)] string? Description,
    LocationInput? Location,
    LocationPrecision? LocationPrecision,
    [property: MaxLength(8)] List<SupportService>? SupportServices,
    [property: MaxLength(8)] List<SupportService>? ConsentedServices,
    bool IsAnonymous = false);

/// <summary>Changes to a case; absent fields stay as they are. <c>version</c> is the version the change was based on.</summary>
public sealed record UpdateIncidentRequest(
    [property: Required] int? Version,
    IncidentType? Type,
    Priority? Priority,
    Severity? Severity,
    DateOnly? IncidentDate,
    TimeOnly? IncidentTime,
    [property: StringLength(10_000)] string? Description,
    LocationInput? Location,
    LocationPrecision? LocationPrecision);

public sealed record ChangeStatusRequest([property: Required] CaseStatus? Status, [property: StringLength(500)] string? Reason);

public sealed record LocationView(double? Latitude, double? Longitude, string? Address, string? Description, LocationPrecision Precision);

/// <summary>Who reported: the pseudonymous handle always; the name only when the report is not anonymous.</summary>
public sealed record SurvivorView(string Handle, string? DisplayName);

public sealed record ConsentView(SupportService Service, bool Granted, ConsentMethod Method, ParticipantRole RecordedByRole, DateTimeOffset RecordedAt, string? Note);

public sealed record ProviderBrief(Guid Id, ProviderType ProviderType, string DisplayName, string Organisation, string? Phone);

/// <summary>How routing chose (admins only).</summary>
public sealed record RoutingView(decimal? Score, double? DistanceKm, RoutingTrace? Trace);

public sealed record ReferralView(
    Guid Id,
    SupportService Service,
    ProviderType ProviderType,
    ProviderBrief? Provider,
    ReferralKind Kind,
    ReferralStatus Status,
    bool Queued,
    int Attempt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? OfferedAt,
    DateTimeOffset? RespondBy,
    DateTimeOffset? RespondedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? RevokedAt,
    string? DeclineCode,
    string? DeclineReason,
    string? RevokeReason,
    string? Note,
    short? Rating,
    RoutingView? Routing);

/// <summary>A provider working the case, as the other participants see them.</summary>
public sealed record CareTeamMember(ProviderType ProviderType, string DisplayName, string Organisation, SupportService Service);

public sealed record LegalHoldView(string Reason, DateTimeOffset Since);

public sealed record IncidentSummary(
    Guid Id,
    string CaseNumber,
    string Handle,
    IncidentType? Type,
    CaseStatus Status,
    Priority Priority,
    Severity? Severity,
    CaseSource Source,
    bool IsAnonymous,
    IReadOnlyList<SupportService> SupportServices,
    bool LegalHold,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int UnreadCount);

public sealed record IncidentDetail(
    Guid Id,
    string CaseNumber,
    string Handle,
    IncidentType? Type,
    CaseStatus Status,
    Priority Priority,
    Severity? Severity,
    CaseSource Source,
    bool IsAnonymous,
    IReadOnlyList<SupportService> SupportServices,
    DateOnly? IncidentDate,
    TimeOnly? IncidentTime,
    string? Description,
    LocationView? Location,
    SurvivorView Survivor,
    IReadOnlyList<ConsentView> Consents,
    IReadOnlyList<ReferralView> Referrals,
    IReadOnlyList<CareTeamMember> CareTeam,
    LegalHoldView? LegalHold,
    IReadOnlyList<CaseStatus> AllowedTransitions,
    int MessageCount,
    int UnreadCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version)
{
    /// <summary>For an anonymous report only, once: the code that reopens the case from any device.</summary>
    public string? ReceiptCode { get; init; }
}

public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);
