namespace Haven.Pss.Tests;

/// <summary>Answers and form definitions the tests reuse.</summary>
public static class IntakeAnswers
{
    /// <summary>A complete, valid set of answers to the default intake form (version 1).</summary>
    public static Dictionary<string, object?> Valid(string diagnosis = "Epilepsy, well controlled", string idNumber = "9001015009087") => new()
    {
        ["preferred_name"] = "Sam",
        ["date_of_birth"] = "2001-04-23",
        ["phone_number"] = "+27 82 555 0100",
        ["address"] = "1 Long Street, Cape Town",
        ["id_number"] = idNumber,
        ["disability_types"] = new[] { "chronic_illness" },
        ["diagnosis"] = diagnosis,
        ["medications"] = "Lamotrigine 100 mg",
        ["allergies"] = "None known",
        ["doctor_name"] = "Dr N. Mahlangu",
        ["doctor_phone"] = "+27 21 555 0199",
        ["support_needs"] = new[] { "extra_time", "quiet_space" },
        ["emergency_contact_name"] = "Jo Sam",
        ["emergency_contact_phone"] = "+27 83 555 0200",
        ["emergency_contact_relationship"] = "Sister",
        ["consent"] = true,
    };

    /// <summary>A short programme form: one mapped text question, one required choice, one consent box.</summary>
    public static object SmallForm(string title, bool withShoeSize = false) => new
    {
        title,
        introduction = "A shorter form for this programme.",
        fields = new List<object>
        {
            new { key = "diagnosis", label = "Diagnosis", type = "textarea", maps_to = "diagnosis" },
            new
            {
                key = "start_week", label = "Which week do you start?", type = "choice", required = true,
                options = new[] { new { value = "week_1", label = "Week 1" }, new { value = "week_2", label = "Week 2" } },
            },
            new { key = "consent", label = "I agree staff may see my answers", type = "boolean", required = true },
        }.Concat(withShoeSize ? [new { key = "shoe_size", label = "Shoe size", type = "number", required = true, min = 1, max = 60 }] : []).ToList(),
    };
}
