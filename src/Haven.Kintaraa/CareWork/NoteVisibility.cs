using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.CareWork;

/// <summary>
/// Which provider types may write and read each kind of case note. Professional confidentiality decides, not the
/// author's choice: a counselor's session notes and a clinician's medical notes are never shown to police or legal,
/// and legal notes stay privileged. Admins read every note (each read audited); the survivor reads the notes their
/// author chose to share with them.
/// </summary>
public static class NoteVisibility
{
    private static readonly Dictionary<NoteKind, ProviderType[]> Readers = new()
    {
        [NoteKind.Medical] = [ProviderType.Healthcare],
        [NoteKind.Session] = [ProviderType.Counseling],
        [NoteKind.Legal] = [ProviderType.Legal],
        [NoteKind.Investigation] = [ProviderType.Police, ProviderType.Legal],
        [NoteKind.Social] = [ProviderType.Social, ProviderType.GbvRescue, ProviderType.Chw, ProviderType.Counseling, ProviderType.Healthcare],
        [NoteKind.General] = Enum.GetValues<ProviderType>(),
    };

    private static readonly Dictionary<ProviderType, NoteKind[]> Writable = new()
    {
        [ProviderType.Healthcare] = [NoteKind.Medical, NoteKind.General],
        [ProviderType.Counseling] = [NoteKind.Session, NoteKind.General],
        [ProviderType.Legal] = [NoteKind.Legal, NoteKind.General],
        [ProviderType.Police] = [NoteKind.Investigation, NoteKind.General],
        [ProviderType.Social] = [NoteKind.Social, NoteKind.General],
        [ProviderType.GbvRescue] = [NoteKind.Social, NoteKind.General],
        [ProviderType.Chw] = [NoteKind.Social, NoteKind.General],
    };

    public static bool CanRead(ProviderType reader, NoteKind kind) => Readers[kind].Contains(reader);

    public static bool CanWrite(ProviderType author, NoteKind kind) => Writable[author].Contains(kind);

    public static IReadOnlyList<NoteKind> KindsWritableBy(ProviderType author) => Writable[author];

    public static IReadOnlyList<NoteKind> KindsReadableBy(ProviderType reader) =>
        [.. Readers.Where(r => r.Value.Contains(reader)).Select(r => r.Key)];

    /// <summary>Appointment kinds each provider type schedules.</summary>
    public static IReadOnlyList<AppointmentKind> AppointmentKindsFor(ProviderType type) => type switch
    {
        ProviderType.Healthcare or ProviderType.Chw => [AppointmentKind.Appointment],
        ProviderType.Counseling => [AppointmentKind.Session],
        ProviderType.Legal => [AppointmentKind.CourtDate, AppointmentKind.Appointment],
        ProviderType.Police or ProviderType.Social or ProviderType.GbvRescue => [AppointmentKind.Appointment],
        _ => [],
    };
}
