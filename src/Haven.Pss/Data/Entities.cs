namespace Haven.Pss.Data;

/// <summary>
/// A candidate's support profile (<c>pss.profiles</c>), one per candidate, created on the first save or intake. Every
/// personal field is encrypted at rest; the ID number also has a keyed blind index so staff can find a candidate by it.
/// </summary>
public sealed class Profile
{
    public Guid UserId { get; set; }

    /// <summary>ISO date (yyyy-MM-dd), stored as encrypted text.</summary>
    public string? DateOfBirth { get; set; }

    public string? PhoneNumber { get; set; }

    public string? Address { get; set; }

    public string? IdNumber { get; set; }

    public string? Diagnosis { get; set; }

    public string? Medications { get; set; }

    public string? Allergies { get; set; }

    public string? DoctorName { get; set; }

    public string? DoctorPhone { get; set; }

    public string? MedicalNotes { get; set; }

    public string? EmergencyContactName { get; set; }

    public string? EmergencyContactPhone { get; set; }

    public string? EmergencyContactRelationship { get; set; }

    /// <summary>When the candidate first submitted an intake form; null until then.</summary>
    public DateTimeOffset? IntakeCompletedAt { get; set; }

    public int Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One published version of an intake form (<c>pss.intake_forms</c>). A programme (tenant) may publish its own versions;
/// a null tenant is the default form every programme starts with. Versions are never edited: a change is a new version,
/// so every submission can still be read against the questions it answered.
/// </summary>
public sealed class IntakeForm
{
    public Guid Id { get; set; }

    public Guid? TenantId { get; set; }

    public int Version { get; set; }

    public required string Title { get; set; }

    /// <summary>The <see cref="Intake.FormDefinition"/> as JSON.</summary>
    public required string Definition { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Guid? CreatedBy { get; set; }
}

/// <summary>A candidate's answers to one form version (<c>pss.intake_submissions</c>); the answers are encrypted JSON.</summary>
public sealed class IntakeSubmission
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public Guid FormId { get; set; }

    public required string Responses { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }
}

/// <summary>A candidate's journal entry (<c>pss.journal_entries</c>). Title and content are encrypted; mood and energy are not, so statistics can be computed in the database.</summary>
public sealed class JournalEntry
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public DateOnly EntryDate { get; set; }

    public required string Title { get; set; }

    public required string Content { get; set; }

    public Mood Mood { get; set; }

    public int EnergyLevel { get; set; }

    public int Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A staff note about a candidate (<c>pss.admin_notes</c>). Never shown to the candidate; the text is encrypted.</summary>
public sealed class AdminNote
{
    public Guid Id { get; set; }

    public Guid CandidateId { get; set; }

    public Guid AuthorId { get; set; }

    public required string NoteText { get; set; }

    public List<string> Tags { get; set; } = [];

    public int Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>How a candidate felt, from lowest to highest; the order is the mood score (1–5) used in averages and trends.</summary>
public enum Mood
{
    VeryLow = 1,
    Low = 2,
    Okay = 3,
    Good = 4,
    VeryGood = 5,
}
