using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Portal;

/// <summary>What each profession's case page puts first (seed kintaraa-architecture.md, "provider-specific dashboard features").</summary>
public sealed record ProviderPanel(string Title, string Focus, string Schedule, IReadOnlyList<string> Checklist);

public static class ProviderPanels
{
    public static ProviderPanel For(ProviderType type) => type switch
    {
        ProviderType.Healthcare => new("Medical care", "Patient status, treatment plan and medical history. Medical notes are read by healthcare providers only.",
            "Medical appointments", ["Examination and treatment recorded in a medical note", "Time-critical care (within 72 hours) offered", "Follow-up appointment scheduled"]),
        ProviderType.Legal => new("Legal aid", "Court dates with reminders and the client's legal matters. Legal notes are privileged: only legal providers read them.",
            "Court dates and meetings", ["Client's instructions recorded in a legal note", "Court dates scheduled (reminders go to the survivor)", "Evidence chain of custody checked before filing"]),
        ProviderType.Police => new("Investigation", "Evidence and its chain of custody, the investigation's status. Counseling and medical notes are never shown to police.",
            "Interviews and statements", ["Statement taken and recorded in an investigation note", "Evidence handed over with its hash recorded", "Survivor told of each step"]),
        ProviderType.Counseling => new("Counseling", "Sessions and progress. Session notes stay with counselors: police and legal never see them.",
            "Sessions", ["Safety assessed at the first session", "Sessions scheduled", "Progress recorded in session notes"]),
        ProviderType.Social => new("Social services", "Benefits, shelter and resources coordinated with the other agencies on the case.",
            "Meetings", ["Needs assessed (shelter, income, children)", "Resources arranged and recorded in a social note", "Other agencies referred with consent"]),
        ProviderType.GbvRescue => new("GBV rescue", "Crisis intervention and emergency protocols: reach the survivor and get them safe first.",
            "Pick-ups and meetings", ["Survivor reached and safe", "Shelter place arranged", "Onward referrals made with consent"]),
        _ => new("Community health", "Home visits and follow-up in the survivor's community.",
            "Visits", ["Visit arranged", "Health needs passed to a clinic with consent", "Follow-up recorded in a social note"]),
    };
}
