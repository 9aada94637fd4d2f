namespace Haven.Kintaraa.Data;

// The module's fixed vocabularies. Stored and serialised in snake_case ("in_progress", "gbv_rescue"); the SQL
// migration carries a CHECK constraint listing the same values.

public enum ProviderType
{
    Healthcare,
    Legal,
    Police,
    Counseling,
    Social,
    GbvRescue,
    Chw,
}

public enum IncidentType
{
    Physical,
    Sexual,
    Emotional,
    Economic,
    Online,
    Femicide,
}

public enum CaseStatus
{
    New,
    Assigned,
    InProgress,
    Completed,
    Closed,
}

public enum Priority
{
    Low,
    Medium,
    High,
    Critical,
}

public enum Severity
{
    Low,
    Medium,
    High,
}

/// <summary>How precisely the survivor lets the case record where it happened; coarser values are rounded before storage.</summary>
public enum LocationPrecision
{
    /// <summary>Coordinates as given.</summary>
    Exact,

    /// <summary>Rounded to 0.01° (about 1 km).</summary>
    Approximate,

    /// <summary>Rounded to 0.1° (about 11 km).</summary>
    Area,

    /// <summary>No coordinates kept at all.</summary>
    None,
}

/// <summary>Where a case came from: the app's report form, the SOS button, the offline sync batch, a provider's portal.</summary>
public enum CaseSource
{
    App,
    Sos,
    Sync,
    Portal,
}

/// <summary>
/// A support service a survivor may request (the mobile app's vocabulary). Each is delivered by one provider type
/// (<see cref="SupportServices.ProviderTypeFor"/>).
/// </summary>
public enum SupportService
{
    Medical,
    Emergency,
    Police,
    Legal,
    Counseling,
    Shelter,
    Financial,
    CommunityHealth,
}

public enum ReferralKind
{
    /// <summary>Routed automatically when the case was created or consent was given.</summary>
    Routed,

    /// <summary>An admin chose the provider.</summary>
    Manual,

    /// <summary>A provider on the case referred the survivor to another service.</summary>
    Onward,

    /// <summary>A provider handed their part of the case to another provider.</summary>
    Transfer,

    /// <summary>Raised by the SOS button.</summary>
    Sos,
}

public enum ReferralStatus
{
    Pending,
    Accepted,
    Declined,
    Done,
    Revoked,
}

/// <summary>How a consent decision was captured.</summary>
public enum ConsentMethod
{
    /// <summary>The survivor decided in the app.</summary>
    App,

    /// <summary>A provider recorded what the survivor said.</summary>
    Verbal,

    /// <summary>A provider recorded a signed form.</summary>
    Written,

    /// <summary>Pressing SOS consents to emergency and police help.</summary>
    Sos,
}

public enum ParticipantRole
{
    Survivor,
    Provider,
    Admin,
    System,
}

public enum MessageKind
{
    Text,
    System,
    File,
}

public enum EvidenceKind
{
    Photo,
    Document,
    Audio,
    Video,
}

public enum CustodyAction
{
    Uploaded,
    Viewed,
    Downloaded,
    HandedOver,
    Deleted,
}

public enum AppointmentKind
{
    /// <summary>A clinical appointment (healthcare, community health).</summary>
    Appointment,

    /// <summary>A counseling or support session.</summary>
    Session,

    /// <summary>A court hearing (legal).</summary>
    CourtDate,
}

public enum AppointmentStatus
{
    Scheduled,
    Completed,
    Cancelled,
    Missed,
}

public enum NoteKind
{
    /// <summary>Clinical notes: healthcare only.</summary>
    Medical,

    /// <summary>Counseling session notes: counselors only.</summary>
    Session,

    /// <summary>Legal notes, privileged: legal only.</summary>
    Legal,

    /// <summary>Investigation notes: police and legal.</summary>
    Investigation,

    /// <summary>Social support notes: social, rescue, community health, counseling and healthcare.</summary>
    Social,

    /// <summary>General notes: every provider on the case.</summary>
    General,
}

public static class SupportServices
{
    public static ProviderType ProviderTypeFor(SupportService service) => service switch
    {
        SupportService.Medical => ProviderType.Healthcare,
        SupportService.Emergency => ProviderType.GbvRescue,
        SupportService.Police => ProviderType.Police,
        SupportService.Legal => ProviderType.Legal,
        SupportService.Counseling => ProviderType.Counseling,
        SupportService.Shelter => ProviderType.Social,
        SupportService.Financial => ProviderType.Social,
        SupportService.CommunityHealth => ProviderType.Chw,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    /// <summary>The service a provider of a type offers when one is referred to without naming a service (a transfer).</summary>
    public static SupportService PrimaryServiceOf(ProviderType type) => type switch
    {
        ProviderType.Healthcare => SupportService.Medical,
        ProviderType.GbvRescue => SupportService.Emergency,
        ProviderType.Police => SupportService.Police,
        ProviderType.Legal => SupportService.Legal,
        ProviderType.Counseling => SupportService.Counseling,
        ProviderType.Social => SupportService.Shelter,
        ProviderType.Chw => SupportService.CommunityHealth,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
