using System.Text.Json.Nodes;
using Haven.Platform.Identity;
using Haven.Platform.Modules;
using Haven.Platform.Tenancy;
using Haven.Pss.Data;
using Haven.Pss.Intake;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Pss.Demo;

/// <summary>
/// A programme with an admin, a superuser and six candidates: profiles, intake submissions, six weeks of journal
/// entries ending today (one candidate with a run of low moods and one whose energy fell, so the dashboard flags
/// them) and staff notes. Idempotent: a candidate who already has data is left as they are.
/// </summary>
internal static class PssDemoData
{
    public const string Programme = "CAPACITI Cohort 2026";
    public const string Password = "Haven PSS demo 2026";
    public const string AdminEmail = "pss.admin@haven.demo";
    public const string SuperuserEmail = "pss.superuser@haven.demo";

    private sealed record DemoCandidate(string Email, string Name, string Pattern, bool Intake, string? Diagnosis, string? IdNumber);

    private static readonly DemoCandidate[] Candidates =
    [
        new("thandi@pss.demo", "Thandi Nkosi", "steady", true, "Type 1 diabetes", "0102030405081"),
        new("sipho@pss.demo", "Sipho Dlamini", "low_streak", true, "Generalised anxiety disorder", "9906155800087"),
        new("aisha@pss.demo", "Aisha Patel", "energy_drop", true, "Hearing impairment (bilateral)", "0007210123089"),
        new("johan@pss.demo", "Johan van Wyk", "sparse", false, null, null),
        new("lerato@pss.demo", "Lerato Mokoena", "improving", true, "Dyslexia", "0203040506082"),
        new("naledi@pss.demo", "Naledi Khumalo", "none", false, null, null),
    ];

    public static async Task SeedAsync(DemoSeedContext context, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var provisioning = services.GetRequiredService<IUserProvisioning>();
        var db = services.GetRequiredService<PssDbContext>();
        var clock = services.GetRequiredService<TimeProvider>();
        var programme = await provisioning.EnsureTenantAsync(PssModule.ModuleName, TenantKinds.TrainingProgramme, Programme, cancellationToken);

        var admin = await provisioning.EnsureUserAsync(
            new UserSpec(AdminEmail, Password, "Grace Adeyemi", [new RoleGrantSpec(HavenRoles.Pss.Admin, programme.Id)]) { MfaSecret = DemoMfa.Secret },
            cancellationToken);
        context.AddLogin(PssModule.ModuleName, HavenRoles.Pss.Admin, AdminEmail, Password, DemoMfa.Note);
        await provisioning.EnsureUserAsync(
            new UserSpec(SuperuserEmail, Password, "Peter Molefe", [new RoleGrantSpec(HavenRoles.Pss.Superuser)]) { MfaSecret = DemoMfa.Secret },
            cancellationToken);
        context.AddLogin(PssModule.ModuleName, HavenRoles.Pss.Superuser, SuperuserEmail, Password, DemoMfa.Note);

        var form = await db.IntakeForms.AsNoTracking().Where(f => f.TenantId == null).OrderBy(f => f.Version).FirstAsync(cancellationToken);
        var definition = FormDefinition.FromJson(form.Definition);
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        for (var i = 0; i < Candidates.Length; i++)
        {
            var c = Candidates[i];
            var user = await provisioning.EnsureUserAsync(
                new UserSpec(c.Email, Password, c.Name, [new RoleGrantSpec(HavenRoles.Pss.Candidate, programme.Id)]), cancellationToken);
            if (i == 0)
            {
                context.AddLogin(PssModule.ModuleName, HavenRoles.Pss.Candidate, c.Email, Password, "five more: sipho, aisha, johan, lerato, naledi @pss.demo, same password");
            }

            if (await db.Profiles.AnyAsync(p => p.UserId == user.Id, cancellationToken) || await db.JournalEntries.AnyAsync(e => e.UserId == user.Id, cancellationToken))
            {
                continue;
            }

            AddCandidateData(db, user.Id, admin.Id, c, form, definition, today, now, i);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static void AddCandidateData(PssDbContext db, Guid userId, Guid adminId, DemoCandidate c, IntakeForm form, FormDefinition definition, DateOnly today, DateTimeOffset now, int seed)
    {
        var first = c.Name.Split(' ')[0];
        if (c.Intake)
        {
            var responses = new JsonObject
            {
                ["preferred_name"] = first,
                ["date_of_birth"] = new DateOnly(1998 + seed, 1 + seed, 10 + seed).ToString("yyyy-MM-dd"),
                ["phone_number"] = $"+27 82 555 01{seed:D2}",
                ["address"] = $"{12 + seed} Long Street, Cape Town",
                ["id_number"] = c.IdNumber,
                ["disability_types"] = new JsonArray(seed % 2 == 0 ? "chronic_illness" : "mental_health"),
                ["diagnosis"] = c.Diagnosis,
                ["medications"] = seed % 2 == 0 ? "Daily medication, taken with breakfast" : null,
                ["allergies"] = seed == 2 ? "Penicillin" : null,
                ["doctor_name"] = "Dr N. Mahlangu",
                ["doctor_phone"] = "+27 21 555 0199",
                ["support_needs"] = new JsonArray("extra_time", "flexible_schedule"),
                ["emergency_contact_name"] = $"{first}'s parent",
                ["emergency_contact_phone"] = $"+27 83 555 02{seed:D2}",
                ["emergency_contact_relationship"] = "Parent",
                ["consent"] = true,
            };
            var (answers, errors) = FormRules.ValidateResponses(definition, responses, today);
            if (!errors.IsEmpty)
            {
                throw new InvalidOperationException($"The demo intake of {c.Email} does not fit the default form: {string.Join("; ", errors.ToError().FieldErrors!.Select(e => e.Key))}");
            }

            var submittedAt = now.AddDays(-45 + seed);
            db.IntakeSubmissions.Add(new IntakeSubmission { Id = Guid.CreateVersion7(submittedAt), UserId = userId, FormId = form.Id, Responses = answers.ToJsonString(), SubmittedAt = submittedAt });
            var profile = new Profile { UserId = userId, CreatedAt = submittedAt, UpdatedAt = submittedAt, IntakeCompletedAt = submittedAt, Version = 1 };
            foreach (var field in definition.Fields.Where(f => f.MapsTo is not null))
            {
                if (answers[field.Key] is JsonValue value && value.TryGetValue(out string? text))
                {
                    Profiles.ProfileFields.Set(profile, field.MapsTo!, text);
                }
            }

            db.Profiles.Add(profile);
        }

        var random = new Random(seed + 7);
        foreach (var (date, mood, energy) in Entries(c.Pattern, today, random))
        {
            var written = new DateTimeOffset(date.ToDateTime(new TimeOnly(19, 30)), TimeSpan.Zero);
            db.JournalEntries.Add(new JournalEntry
            {
                Id = Guid.CreateVersion7(written),
                UserId = userId,
                EntryDate = date,
                Title = Titles[random.Next(Titles.Length)],
                Content = Contents[(int)mood - 1],
                Mood = mood,
                EnergyLevel = energy,
                Version = 1,
                CreatedAt = written,
                UpdatedAt = written,
            });
        }

        if (c.Pattern is "low_streak" or "energy_drop")
        {
            var noteAt = now.AddDays(-10);
            db.AdminNotes.Add(new AdminNote
            {
                Id = Guid.CreateVersion7(noteAt),
                CandidateId = userId,
                AuthorId = adminId,
                NoteText = $"Met {first} after the workshop. Agreed to check in weekly and to look at the deadline schedule together.",
                Tags = ["wellbeing", "follow_up"],
                Version = 1,
                CreatedAt = noteAt,
                UpdatedAt = noteAt,
            });
        }
    }

    private static IEnumerable<(DateOnly Date, Mood Mood, int Energy)> Entries(string pattern, DateOnly today, Random random)
    {
        if (pattern == "none")
        {
            yield break;
        }

        var days = 42;
        for (var back = days - 1; back >= 0; back--)
        {
            // Most candidates write on about two days in three; the sparse one on about one in six.
            if (random.NextDouble() > (pattern == "sparse" ? 0.17 : 0.65) && back > 2)
            {
                continue;
            }

            var date = today.AddDays(-back);
            var (mood, energy) = pattern switch
            {
                "low_streak" when back <= 6 => (random.Next(2) == 0 ? Mood.VeryLow : Mood.Low, random.Next(2, 5)),
                "low_streak" => ((Mood)random.Next(2, 5), random.Next(4, 8)),
                "energy_drop" when back <= 4 => (Mood.Okay, random.Next(1, 3)),
                "energy_drop" => ((Mood)random.Next(3, 6), random.Next(7, 10)),
                "improving" => ((Mood)Math.Clamp(2 + ((days - back) / 12), 1, 5), Math.Clamp(3 + ((days - back) / 7), 1, 10)),
                _ => ((Mood)random.Next(3, 6), random.Next(5, 9)),
            };
            yield return (date, mood, energy);
        }
    }

    private static readonly string[] Titles =
        ["Workshop day", "Project work", "Team stand-up", "Quiet day", "Presentation practice", "Coding session", "Mentor meeting", "Weekend"];

    private static readonly string[] Contents =
    [
        "Hard day. I could not concentrate and left early. I did not want to talk to anyone.",
        "Felt flat most of the day. The noise in the venue made it hard to focus.",
        "An ordinary day. Got through the exercises, a bit tired by the afternoon.",
        "Good session with my team. The extra time on the assessment helped.",
        "Great day! Finished my project milestone and presented it to the group.",
    ];
}
