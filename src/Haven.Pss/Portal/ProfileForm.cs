using Haven.Platform.Portal;
using Haven.Pss.Profiles;

namespace Haven.Pss.Portal;

/// <summary>How the profile form groups and describes the fields; shared by the candidate's and the staff's profile pages.</summary>
public static class ProfileForm
{
    public static readonly IReadOnlyList<(string Legend, IReadOnlyList<string> Fields)> Groups =
    [
        ("About you", [ProfileFields.DateOfBirth, ProfileFields.PhoneNumber, ProfileFields.Address, ProfileFields.IdNumber]),
        ("Health", [ProfileFields.Diagnosis, ProfileFields.Medications, ProfileFields.Allergies, ProfileFields.DoctorName, ProfileFields.DoctorPhone, ProfileFields.MedicalNotes]),
        ("Emergency contact", [ProfileFields.EmergencyContactName, ProfileFields.EmergencyContactPhone, ProfileFields.EmergencyContactRelationship]),
    ];

    public static FieldModel Field(string field, string? value, PortalForm form) => new(field, ProfileFields.Label(field), value, form)
    {
        Type = field switch
        {
            ProfileFields.DateOfBirth => "date",
            _ when ProfileFields.IsPhone(field) => "tel",
            ProfileFields.Address or ProfileFields.Diagnosis or ProfileFields.Medications or ProfileFields.Allergies or ProfileFields.MedicalNotes => "textarea",
            _ => "text",
        },
        MaxLength = ProfileFields.MaxLength(field),
        Autocomplete = field switch
        {
            ProfileFields.DateOfBirth => "bday",
            ProfileFields.PhoneNumber => "tel",
            ProfileFields.Address => "street-address",
            _ => "off",
        },
        Hint = field switch
        {
            ProfileFields.DateOfBirth => "For example 2001-04-23.",
            ProfileFields.IdNumber => "Your national ID or passport number.",
            ProfileFields.Diagnosis => "Only if you want to share it.",
            ProfileFields.MedicalNotes => "Anything staff should know in an emergency.",
            _ when ProfileFields.IsPhone(field) => "Digits, spaces, brackets, + and - are fine.",
            _ => null,
        },
    };
}
