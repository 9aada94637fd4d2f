using System.ComponentModel.DataAnnotations;
using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Providers;

public sealed record WorkingPeriodDto([property: Required] DayOfWeek? Day, [property: Required] TimeOnly? Start, [property: Required] TimeOnly? End);

/// <summary>A provider's own profile. <c>version</c> is required when changing an existing profile.</summary>
public sealed record ProviderProfileRequest(
    int? Version,
    [property: Required, StringLength(200, MinimumLength = 2)] string DisplayName,
    [property: Required, StringLength(200, MinimumLength = 2)] string Organisation,
    [property: MaxLength(20)] List<string>? Specialisations,
    [property: MaxLength(30)] List<string>? Services,
    [property: StringLength(32)] string? Phone,
    [property: StringLength(300)] string? Address,
    [property: Range(-90.0, 90.0)] double? Latitude,
    [property: Range(-180.0, 180.0)] double? Longitude,
    [property: StringLength(64)] string? TimeZone,
    [property: MaxLength(28)] List<WorkingPeriodDto>? WorkingHours,
    bool? IsAvailable,
    bool? OnCall,
    [property: Range(0, 1000)] int? Capacity);

public sealed record AvailabilityRequest(bool? IsAvailable, bool? OnCall);

/// <summary>What an admin may change on a provider's profile; <c>Version</c> is the one the admin saw.</summary>
public sealed record ProviderEdit(int Version, string Organisation, IReadOnlyList<string> Services, int Capacity, bool IsAvailable, bool OnCall);

public sealed record VerificationRequest([property: StringLength(500)] string? Note);

public sealed record ProviderProfile(
    Guid Id,
    ProviderType ProviderType,
    string DisplayName,
    string Organisation,
    IReadOnlyList<string> Specialisations,
    IReadOnlyList<string> Services,
    string? Phone,
    string? Address,
    double? Latitude,
    double? Longitude,
    string TimeZone,
    IReadOnlyList<WorkingPeriodDto> WorkingHours,
    bool IsAvailable,
    bool OnCall,
    bool InWorkingHoursNow,
    int Capacity,
    int Caseload,
    bool IsVerified,
    DateTimeOffset? VerifiedAt,
    decimal? Rating,
    int RatingCount,
    int? ResponseTimeMinutes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version);

/// <summary>A verified service in the directory. Shelters and rescue centres never show where they are, only how far.</summary>
public sealed record DirectoryEntry(
    Guid Id,
    ProviderType ProviderType,
    string DisplayName,
    string Organisation,
    IReadOnlyList<string> Services,
    string? Phone,
    string? Address,
    double? Latitude,
    double? Longitude,
    double? DistanceKm,
    bool OpenNow,
    bool OnCall,
    decimal? Rating);
