using Haven.Pss.Data;

namespace Haven.Pss.Profiles;

/// <summary>A candidate's support profile. <c>version</c> is 0 until the profile is first saved.</summary>
public sealed record ProfileView(
    Guid UserId,
    string? DateOfBirth,
    string? PhoneNumber,
    string? Address,
    string? IdNumber,
    string? Diagnosis,
    string? Medications,
    string? Allergies,
    string? DoctorName,
    string? DoctorPhone,
    string? MedicalNotes,
    string? EmergencyContactName,
    string? EmergencyContactPhone,
    string? EmergencyContactRelationship,
    bool HasCompletedIntake,
    DateTimeOffset? IntakeCompletedAt,
    int Version,
    DateTimeOffset? UpdatedAt)
{
    public static ProfileView Empty(Guid userId) =>
        new(userId, null, null, null, null, null, null, null, null, null, null, null, null, null, false, null, 0, null);

    public static ProfileView From(Profile p) => new(
        p.UserId, p.DateOfBirth, p.PhoneNumber, p.Address, p.IdNumber, p.Diagnosis, p.Medications, p.Allergies, p.DoctorName,
        p.DoctorPhone, p.MedicalNotes, p.EmergencyContactName, p.EmergencyContactPhone, p.EmergencyContactRelationship,
        p.IntakeCompletedAt is not null, p.IntakeCompletedAt, p.Version, p.UpdatedAt);

    public string? this[string field] => field switch
    {
        ProfileFields.DateOfBirth => DateOfBirth,
        ProfileFields.PhoneNumber => PhoneNumber,
        ProfileFields.Address => Address,
        ProfileFields.IdNumber => IdNumber,
        ProfileFields.Diagnosis => Diagnosis,
        ProfileFields.Medications => Medications,
        ProfileFields.Allergies => Allergies,
        ProfileFields.DoctorName => DoctorName,
        ProfileFields.DoctorPhone => DoctorPhone,
        ProfileFields.MedicalNotes => MedicalNotes,
        ProfileFields.EmergencyContactName => EmergencyContactName,
        ProfileFields.EmergencyContactPhone => EmergencyContactPhone,
        ProfileFields.EmergencyContactRelationship => EmergencyContactRelationship,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a profile field."),
    };
}

/// <summary>
/// Replaces the whole profile: a field left out or blank is cleared. <c>version</c> is the version you read (0 for a
/// profile never saved); if someone saved in between, the answer is 409 <c>version_conflict</c> and nothing changes.
/// </summary>
public sealed record UpdateProfileRequest(
    string? DateOfBirth,
    string? PhoneNumber,
    string? Address,
    string? IdNumber,
    string? Diagnosis,
    string? Medications,
    string? Allergies,
    string? DoctorName,
    string? DoctorPhone,
    string? MedicalNotes,
    string? EmergencyContactName,
    string? EmergencyContactPhone,
    string? EmergencyContactRelationship,
    int? Version)
{
    public IReadOnlyDictionary<string, string?> Values() => new Dictionary<string, string?>
    {
        [ProfileFields.DateOfBirth] = DateOfBirth,
        [ProfileFields.PhoneNumber] = PhoneNumber,
        [ProfileFields.Address] = Address,
        [ProfileFields.IdNumber] = IdNumber,
        [ProfileFields.Diagnosis] = Diagnosis,
        [ProfileFields.Medications] = Medications,
        [ProfileFields.Allergies] = Allergies,
        [ProfileFields.DoctorName] = DoctorName,
        [ProfileFields.DoctorPhone] = DoctorPhone,
        [ProfileFields.MedicalNotes] = MedicalNotes,
        [ProfileFields.EmergencyContactName] = EmergencyContactName,
        [ProfileFields.EmergencyContactPhone] = EmergencyContactPhone,
        [ProfileFields.EmergencyContactRelationship] = EmergencyContactRelationship,
    };
}
