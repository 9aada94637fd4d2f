using System.ComponentModel.DataAnnotations;
using Haven.Pss.Data;

namespace Haven.Pss.Users;

/// <summary>
/// A candidate in a list: who they are, whether intake is done, their latest journal activity (<c>recent_entries</c>: in the
/// last 30 days), and any check-in flags
/// (<c>low_mood_streak</c>, <c>energy_drop</c>: staff only, empty for the candidate themselves).
/// </summary>
public sealed record CandidateSummary(
    Guid Id, string? Email, string? DisplayName, string Name, Guid? TenantId, bool IsActive, bool HasCompletedIntake,
    DateOnly? LastEntryDate, Mood? LatestMood, int RecentEntries, IReadOnlyList<string> CheckInFlags);

/// <summary>One candidate's overview (no medical details: those are in the audited profile).</summary>
public sealed record CandidateDetail(
    Guid Id, string? Email, string? DisplayName, string Name, Guid? TenantId, bool IsActive, bool HasCompletedIntake,
    DateTimeOffset? IntakeCompletedAt, int IntakeSubmissions, int JournalEntries, DateOnly? FirstEntryDate, DateOnly? LastEntryDate,
    Mood? LatestMood, int RecentEntries, IReadOnlyList<string> CheckInFlags);

public sealed record CandidatePage(IReadOnlyList<CandidateSummary> Items, int Total, int Page, int PageSize);

/// <summary>The name a candidate is shown by, to staff and in exports; blank clears it (the email is shown instead).</summary>
public sealed record UpdateCandidateRequest([property: StringLength(200)] string? DisplayName);
