using System.Globalization;
using System.Text.RegularExpressions;
using Haven.Platform.Web;
using Haven.Pss.Data;

namespace Haven.Pss.Profiles;

/// <summary>
/// The profile's fields by their API name (<c>phone_number</c>), with the rule each value must meet. The API, the
/// portal forms and intake answers that map into the profile all go through <see cref="Validate"/>, so the profile
/// holds the same kind of data however it was filled in.
/// </summary>
public static partial class ProfileFields
{
    public const string DateOfBirth = "date_of_birth";
    public const string PhoneNumber = "phone_number";
    public const string Address = "address";
    public const string IdNumber = "id_number";
    public const string Diagnosis = "diagnosis";
    public const string Medications = "medications";
    public const string Allergies = "allergies";
    public const string DoctorName = "doctor_name";
    public const string DoctorPhone = "doctor_phone";
    public const string MedicalNotes = "medical_notes";
    public const string EmergencyContactName = "emergency_contact_name";
    public const string EmergencyContactPhone = "emergency_contact_phone";
    public const string EmergencyContactRelationship = "emergency_contact_relationship";

    public static readonly IReadOnlyList<string> All =
    [
        DateOfBirth, PhoneNumber, Address, IdNumber, Diagnosis, Medications, Allergies, DoctorName, DoctorPhone, MedicalNotes,
        EmergencyContactName, EmergencyContactPhone, EmergencyContactRelationship,
    ];

    /// <summary>People's labels for the fields (forms, exports).</summary>
    public static string Label(string field) => field switch
    {
        DateOfBirth => "Date of birth",
        PhoneNumber => "Phone number",
        Address => "Address",
        IdNumber => "ID number",
        Diagnosis => "Diagnosis",
        Medications => "Medications",
        Allergies => "Allergies",
        DoctorName => "Doctor's name",
        DoctorPhone => "Doctor's phone number",
        MedicalNotes => "Medical notes",
        EmergencyContactName => "Emergency contact's name",
        EmergencyContactPhone => "Emergency contact's phone number",
        EmergencyContactRelationship => "Relationship to emergency contact",
        _ => field,
    };

    public static int MaxLength(string field) => field switch
    {
        DateOfBirth => 10,
        PhoneNumber or DoctorPhone or EmergencyContactPhone => 20,
        IdNumber => 20,
        Address => 500,
        DoctorName or EmergencyContactName => 200,
        EmergencyContactRelationship => 100,
        Allergies => 2000,
        _ => 4000,
    };

    public static bool IsPhone(string field) => field is PhoneNumber or DoctorPhone or EmergencyContactPhone;

    /// <summary>Checks one value (already trimmed, null when empty) and adds any problem under the field's name.</summary>
    public static void Validate(string field, string? value, DateOnly today, FieldErrors errors, string? errorKey = null)
    {
        var key = errorKey ?? field;
        if (value is null)
        {
            return;
        }

        if (value.Length > MaxLength(field))
        {
            errors.Add(key, $"Use at most {MaxLength(field)} characters.");
            return;
        }

        if (field == DateOfBirth)
        {
            if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                errors.Add(key, "Enter a date as year-month-day, for example 2001-04-23.");
            }
            else if (date > today || date < new DateOnly(1900, 1, 1))
            {
                errors.Add(key, "Enter a real date of birth, in the past.");
            }
        }
        else if (IsPhone(field) && !PhonePattern().IsMatch(value))
        {
            errors.Add(key, "Enter a phone number of 7 to 20 digits; spaces, brackets, + and - are fine.");
        }
        else if (field == IdNumber && !IdNumberPattern().IsMatch(value))
        {
            errors.Add(key, "Use only letters, digits, spaces and hyphens.");
        }
    }

    /// <summary>Trims, and turns blank into null.</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static string? Get(Profile profile, string field) => field switch
    {
        DateOfBirth => profile.DateOfBirth,
        PhoneNumber => profile.PhoneNumber,
        Address => profile.Address,
        IdNumber => profile.IdNumber,
        Diagnosis => profile.Diagnosis,
        Medications => profile.Medications,
        Allergies => profile.Allergies,
        DoctorName => profile.DoctorName,
        DoctorPhone => profile.DoctorPhone,
        MedicalNotes => profile.MedicalNotes,
        EmergencyContactName => profile.EmergencyContactName,
        EmergencyContactPhone => profile.EmergencyContactPhone,
        EmergencyContactRelationship => profile.EmergencyContactRelationship,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a profile field."),
    };

    public static void Set(Profile profile, string field, string? value)
    {
        switch (field)
        {
            case DateOfBirth: profile.DateOfBirth = value; break;
            case PhoneNumber: profile.PhoneNumber = value; break;
            case Address: profile.Address = value; break;
            case IdNumber: profile.IdNumber = value; break;
            case Diagnosis: profile.Diagnosis = value; break;
            case Medications: profile.Medications = value; break;
            case Allergies: profile.Allergies = value; break;
            case DoctorName: profile.DoctorName = value; break;
            case DoctorPhone: profile.DoctorPhone = value; break;
            case MedicalNotes: profile.MedicalNotes = value; break;
            case EmergencyContactName: profile.EmergencyContactName = value; break;
            case EmergencyContactPhone: profile.EmergencyContactPhone = value; break;
            case EmergencyContactRelationship: profile.EmergencyContactRelationship = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, "Not a profile field.");
        }
    }

    [GeneratedRegex(@"^(?=(?:\D*\d){7,15}\D*$)[0-9 +()\-]{7,20}$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 \-]*$")]
    private static partial Regex IdNumberPattern();
}
