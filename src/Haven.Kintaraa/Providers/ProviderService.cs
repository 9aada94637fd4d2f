using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Routing;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Providers;

/// <summary>Provider profiles: each provider keeps their own (availability, hours, capacity, location); admins verify them.</summary>
public sealed class ProviderService(KintaraaDbContext db, KintaraaCaller caller, CaseJournal journal, TimeProvider clock)
{
    public static readonly Error ProfileMissing = new("profile_missing", 404, "You have no provider profile yet.", "Create it with PUT /api/kintaraa/providers/me.");

    public static readonly Error ProviderNotFound = Errors.NotFound("Provider");

    public async Task<Outcome<(ProviderProfile Profile, bool Created)>> SaveOwnAsync(ProviderProfileRequest request, CancellationToken cancellationToken)
    {
        if (caller.GrantedProviderType is not { } type)
        {
            return Errors.Forbidden("provider_type_missing", "Your provider role names no provider type; ask an administrator to fix it.");
        }

        var errors = new FieldErrors();
        var timeZone = request.TimeZone ?? "Africa/Nairobi";
        errors.When(!WorkingHours.TryFindTimeZone(timeZone, out _), "time_zone", "Not a known IANA time zone (e.g. Africa/Nairobi).");
        errors.When(request.Latitude.HasValue != request.Longitude.HasValue, "latitude", "Give both latitude and longitude, or neither.");
        errors.When(Clean(request.Specialisations).Concat(Clean(request.Services)).Any(s => s.Length > 100), "services", "Each entry is at most 100 characters.");
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var provider = await caller.ProviderAsync(cancellationToken);
        var created = provider is null;
        if (provider is null)
        {
            provider = new Provider
            {
                Id = Guid.CreateVersion7(now),
                UserId = caller.UserId,
                TenantId = caller.ProviderTenant,
                ProviderType = type,
                DisplayName = request.DisplayName.Trim(),
                Organisation = request.Organisation.Trim(),
                TimeZone = timeZone,
                WorkingHours = WorkingHours.OfficeHours(),
                IsAvailable = true,
                Capacity = 10,
                CreatedAt = now,
                Version = 0,
            };
            db.Providers.Add(provider);
        }
        else if (request.Version != provider.Version)
        {
            return Errors.Conflict("version_conflict", "Your profile was changed elsewhere.", "Reload it and apply your change again.") with
            {
                Extensions = new Dictionary<string, object?> { ["current_version"] = provider.Version },
            };
        }

        if (!created && provider.IsVerified && !string.Equals(provider.Organisation, request.Organisation.Trim(), StringComparison.Ordinal))
        {
            // Verification vouches for the organisation; a different one must be verified again.
            provider.IsVerified = false;
            provider.VerifiedAt = null;
            provider.VerifiedBy = null;
            journal.Audit("kintaraa.provider.unverified", "provider", provider.Id, new { reason = "organisation changed" });
        }

        provider.DisplayName = request.DisplayName.Trim();
        provider.Organisation = request.Organisation.Trim();
        provider.Specialisations = Clean(request.Specialisations);
        provider.Services = Clean(request.Services);
        provider.Phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone.Trim();
        provider.Address = string.IsNullOrWhiteSpace(request.Address) ? null : request.Address.Trim();
        provider.Latitude = request.Latitude;
        provider.Longitude = request.Longitude;
        provider.TimeZone = timeZone;
        if (request.WorkingHours is not null)
        {
            provider.WorkingHours = [.. request.WorkingHours.Select(p => new WorkingPeriod(p.Day!.Value, p.Start!.Value, p.End!.Value))];
        }

        provider.IsAvailable = request.IsAvailable ?? provider.IsAvailable;
        provider.OnCall = request.OnCall ?? provider.OnCall;
        provider.Capacity = request.Capacity ?? provider.Capacity;
        provider.UpdatedAt = now;
        provider.Version++;
        journal.Audit(created ? "kintaraa.provider.created" : "kintaraa.provider.updated", "provider", provider.Id);
        await db.SaveChangesAsync(cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return (ToProfile(provider, now), created);
    }

    public async Task<Outcome<ProviderProfile>> SetAvailabilityAsync(AvailabilityRequest request, CancellationToken cancellationToken)
    {
        if (await caller.ProviderAsync(cancellationToken) is not { } provider)
        {
            return ProfileMissing;
        }

        provider.IsAvailable = request.IsAvailable ?? provider.IsAvailable;
        provider.OnCall = request.OnCall ?? provider.OnCall;
        provider.UpdatedAt = clock.GetUtcNow();
        provider.Version++;
        journal.Audit("kintaraa.provider.availability_changed", "provider", provider.Id, new { provider.IsAvailable, provider.OnCall });
        // Coordinators' dashboards, and the provider's own other devices (their dashboard shows the switch).
        journal.Publish("provider.availability", new { provider_id = provider.Id, is_available = provider.IsAvailable, on_call = provider.OnCall },
            Recipients.Coordinators with { Users = [provider.UserId] });
        await db.SaveChangesAsync(cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return await ReloadAsync(provider.Id, cancellationToken);
    }

    public async Task<Outcome<ProviderProfile>> SetVerifiedAsync(Guid id, bool verified, string? note, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (provider is null)
        {
            return ProviderNotFound;
        }

        if (provider.IsVerified != verified)
        {
            var now = clock.GetUtcNow();
            provider.IsVerified = verified;
            provider.VerifiedAt = verified ? now : null;
            provider.VerifiedBy = verified ? caller.UserId : null;
            provider.UpdatedAt = now;
            provider.Version++;
            journal.Audit(verified ? "kintaraa.provider.verified" : "kintaraa.provider.unverified", "provider", provider.Id, new { note });
            journal.Publish(verified ? "provider.verified" : "provider.unverified", new { provider_id = provider.Id }, Recipients.To(provider.UserId));
            await db.SaveChangesAsync(cancellationToken);
            await journal.FlushAsync(cancellationToken);
        }

        return await ReloadAsync(provider.Id, cancellationToken);
    }

    /// <summary>Provider profiles for admins, filtered by type, verification, availability and organisation or name.</summary>
    public async Task<Outcome<PageOf<ProviderProfile>>> ListAsync(ProviderFilter filter, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var types = IncidentQueries.ParseList<ProviderType>(filter.Type, "type", errors);
        var (page, size) = IncidentQueries.Paging(filter.Page, filter.PageSize, errors);
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var query = db.Providers.AsNoTracking();
        if (types.Count > 0)
        {
            query = query.Where(p => types.Contains(p.ProviderType));
        }

        if (filter.Verified is { } verified)
        {
            query = query.Where(p => p.IsVerified == verified);
        }

        if (filter.Available is { } available)
        {
            query = query.Where(p => p.IsAvailable == available);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var pattern = "%" + filter.Q.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(p => EF.Functions.ILike(p.Organisation, pattern) || EF.Functions.ILike(p.DisplayName, pattern));
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(p => p.Organisation).ThenBy(p => p.DisplayName).ThenBy(p => p.Id).Skip((page - 1) * size).Take(size).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return new PageOf<ProviderProfile>([.. items.Select(p => ToProfile(p, now))], total, page, size);
    }

    /// <summary>
    /// An admin corrects a provider's organisation, services, capacity and availability. Verification stays: the admin
    /// editing is the one who vouches for the organisation. A capacity below the current caseload only stops new offers.
    /// </summary>
    public async Task<Outcome<ProviderProfile>> EditAsync(Guid id, ProviderEdit edit, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (provider is null)
        {
            return ProviderNotFound;
        }

        if (edit.Version != provider.Version)
        {
            return Errors.Conflict("version_conflict", "The profile was changed elsewhere.", "Reload it and apply your change again.") with
            {
                Extensions = new Dictionary<string, object?> { ["current_version"] = provider.Version },
            };
        }

        var services = Clean(edit.Services);
        var errors = new FieldErrors()
            .When(edit.Organisation.Trim().Length is < 2 or > 200, "organisation", "Between 2 and 200 characters.")
            .When(services.Count > 30 || services.Any(s => s.Length > 100), "services", "At most 30 services of up to 100 characters each.")
            .When(edit.Capacity is < 0 or > 1000, "capacity", "Between 0 and 1000.");
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var availabilityChanged = provider.IsAvailable != edit.IsAvailable || provider.OnCall != edit.OnCall;
        var changes = new
        {
            organisation = provider.Organisation == edit.Organisation.Trim() ? null : new { from = provider.Organisation, to = edit.Organisation.Trim() },
            capacity = provider.Capacity == edit.Capacity ? null : new { from = provider.Capacity, to = edit.Capacity },
            services_changed = !provider.Services.SequenceEqual(services),
            is_available = edit.IsAvailable,
            on_call = edit.OnCall,
        };
        provider.Organisation = edit.Organisation.Trim();
        provider.Services = services;
        provider.Capacity = edit.Capacity;
        provider.IsAvailable = edit.IsAvailable;
        provider.OnCall = edit.OnCall;
        provider.UpdatedAt = clock.GetUtcNow();
        provider.Version++;
        journal.Audit("kintaraa.provider.edited_by_admin", "provider", provider.Id, changes);
        if (availabilityChanged)
        {
            journal.Publish("provider.availability", new { provider_id = provider.Id, is_available = provider.IsAvailable, on_call = provider.OnCall },
                Recipients.Coordinators);
        }

        await db.SaveChangesAsync(cancellationToken);
        await journal.FlushAsync(cancellationToken);
        return await ReloadAsync(provider.Id, cancellationToken);
    }

    /// <summary>One profile, or null when there is none with this id.</summary>
    public async Task<ProviderProfile?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Providers.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken) is { } provider ? ToProfile(provider, clock.GetUtcNow()) : null;

    /// <summary>Reads a profile fresh (caseload is maintained by SQL, never through a tracked entity).</summary>
    public async Task<ProviderProfile> ReloadAsync(Guid id, CancellationToken cancellationToken) =>
        ToProfile(await db.Providers.AsNoTracking().FirstAsync(p => p.Id == id, cancellationToken), clock.GetUtcNow());

    public static ProviderProfile ToProfile(Provider p, DateTimeOffset now) => new(
        p.Id, p.ProviderType, p.DisplayName, p.Organisation, p.Specialisations, p.Services, p.Phone, p.Address, p.Latitude, p.Longitude,
        p.TimeZone, [.. p.WorkingHours.Select(w => new WorkingPeriodDto(w.Day, w.Start, w.End))], p.IsAvailable, p.OnCall,
        WorkingHours.Covering(p.WorkingHours, p.TimeZone, now) is not null, p.Capacity, p.Caseload, p.IsVerified, p.VerifiedAt,
        p.Rating, p.RatingCount, p.ResponseTimeMinutes, p.CreatedAt, p.UpdatedAt, p.Version);

    private static List<string> Clean(IEnumerable<string>? values) =>
        [.. (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)];
}
