using System.Globalization;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Cases;

/// <summary>
/// List filters, as query parameters. <c>status</c>, <c>type</c> and <c>priority</c> take one or more comma-separated
/// values; <c>from</c>/<c>to</c> bound the report time (ISO dates or date-times); <c>q</c> searches case numbers and
/// handles by prefix (<c>KIN-2411</c>, <c>2411210</c>, <c>S-7Q</c>); <c>provider_id</c> (admins) keeps cases ever referred to a provider.
/// </summary>
public sealed class IncidentFilter
{
    public string? Status { get; init; }

    public string? Type { get; init; }

    public string? Priority { get; init; }

    [FromQuery(Name = "provider_id")]
    public Guid? ProviderId { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? Q { get; init; }

    /// <summary><c>newest</c> (default) or <c>oldest</c>.</summary>
    public string? Sort { get; init; }

    public int? Page { get; init; }

    [FromQuery(Name = "page_size")]
    public int? PageSize { get; init; }
}

/// <summary>
/// Case lists. Descriptions are encrypted, so search never looks inside them: it matches case numbers and handles by
/// prefix through their indexes, and the filters narrow by status, type, priority, provider and date. Each list is
/// one indexed page query plus one count.
/// </summary>
public sealed class IncidentQueries(KintaraaDbContext db, CaseAccess access, CaseReader reader, KintaraaCaller caller, CaseJournal journal)
{
    public const int MaxPageSize = 100;

    public async Task<Outcome<PageOf<IncidentSummary>>> ListAsync(IncidentFilter filter, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var statuses = ParseList<CaseStatus>(filter.Status, "status", errors);
        var types = ParseList<IncidentType>(filter.Type, "type", errors);
        var priorities = ParseList<Priority>(filter.Priority, "priority", errors);
        var (page, size) = Paging(filter.Page, filter.PageSize, errors);
        var search = NormalizeSearch(filter.Q, errors);
        errors.When(filter.From > filter.To, "from", "'from' is after 'to'.");
        errors.When(filter.Sort is not (null or "newest" or "oldest"), "sort", "Use 'newest' or 'oldest'.");
        errors.When(filter.ProviderId is not null && !caller.IsAdmin, "provider_id", "Only admins filter by provider.");
        if (errors.AsError() is { } invalid)
        {
            return invalid;
        }

        var query = (await access.VisibleAsync(cancellationToken)).AsNoTracking();
        if (statuses.Count > 0)
        {
            query = query.Where(i => statuses.Contains(i.Status));
        }

        if (types.Count > 0)
        {
            query = query.Where(i => i.Type != null && types.Contains(i.Type.Value));
        }

        if (priorities.Count > 0)
        {
            query = query.Where(i => priorities.Contains(i.Priority));
        }

        if (filter.ProviderId is { } providerId)
        {
            query = query.Where(i => db.Referrals.Any(r => r.IncidentId == i.Id && r.ProviderId == providerId));
        }

        if (filter.From is { } from)
        {
            query = query.Where(i => i.CreatedAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(i => i.CreatedAt <= to);
        }

        if (search is not null)
        {
            var prefix = search + "%";
            var asNumber = "KIN-" + search + "%";
            query = query.Where(i => EF.Functions.Like(i.CaseNumber, prefix) || EF.Functions.Like(i.Handle, prefix) || EF.Functions.Like(i.CaseNumber, asNumber));
        }

        var total = await query.CountAsync(cancellationToken);
        var ordered = filter.Sort == "oldest" ? query.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id) : query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id);
        var items = await ordered.Skip((page - 1) * size).Take(size).ToListAsync(cancellationToken);
        var unread = await UnreadForAsync(items, cancellationToken);
        if (caller.IsAdmin)
        {
            await AuditAdminListAsync(filter, items, cancellationToken);
        }

        return new PageOf<IncidentSummary>([.. items.Select(i => CaseReader.Summary(i, unread.GetValueOrDefault(i.Id)))], total, page, size);
    }

    /// <summary>
    /// Unread counts, only for cases whose conversation the caller takes part in: a survivor's own, a provider's
    /// accepted ones, and for an admin those they have opened (an admin is not a member of every conversation).
    /// </summary>
    public async Task<Dictionary<Guid, int>> UnreadForAsync(IReadOnlyList<Incident> items, CancellationToken cancellationToken)
    {
        var ids = items.Select(i => i.Id).ToList();
        if (caller.IsAdmin)
        {
            var me = caller.UserId;
            ids = await db.ReadCursors.Where(c => c.UserId == me && ids.Contains(c.IncidentId)).Select(c => c.IncidentId).ToListAsync(cancellationToken);
        }
        else if (caller.IsProvider && await caller.ProviderAsync(cancellationToken) is { } provider)
        {
            var working = await db.Referrals
                .Where(r => ids.Contains(r.IncidentId) && r.ProviderId == provider.Id && r.Status == ReferralStatus.Accepted)
                .Select(r => r.IncidentId).Distinct().ToListAsync(cancellationToken);
            var own = caller.IsSurvivor ? items.Where(i => i.SurvivorId == caller.UserId).Select(i => i.Id) : [];
            ids = [.. working.Concat(own).Distinct()];
        }

        return ids.Count == 0 ? [] : await reader.UnreadCountsAsync(ids, cancellationToken);
    }

    /// <summary>An admin listing cases is a read of their summaries: one audit entry per page, naming the filter and the cases shown.</summary>
    private Task AuditAdminListAsync(IncidentFilter filter, IReadOnlyList<Incident> items, CancellationToken cancellationToken)
    {
        journal.Audit("kintaraa.case.listed_by_admin", "incident", Guid.Empty, new
        {
            filter.Status, filter.Type, filter.Priority, filter.ProviderId, filter.From, filter.To, filter.Q, filter.Page,
            case_numbers = items.Select(i => i.CaseNumber).ToArray(),
        });
        return journal.FlushAsync(cancellationToken);
    }

    public static (int Page, int Size) Paging(int? page, int? pageSize, FieldErrors errors)
    {
        errors.When(page is < 1, "page", "Pages start at 1.");
        errors.When(pageSize is < 1 or > MaxPageSize, "page_size", string.Create(CultureInfo.InvariantCulture, $"Between 1 and {MaxPageSize}."));
        return (Math.Max(page ?? 1, 1), Math.Clamp(pageSize ?? 20, 1, MaxPageSize));
    }

    public static List<T> ParseList<T>(string? values, string field, FieldErrors errors) where T : struct, Enum
    {
        var result = new List<T>();
        foreach (var value in (values ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (SnakeEnum<T>.TryParse(value, out var parsed))
            {
                result.Add(parsed);
            }
            else
            {
                errors.Add(field, $"'{value}' is not one of: {string.Join(", ", SnakeEnum<T>.All)}.");
            }
        }

        return result;
    }

    /// <summary>Search terms are case numbers and handles: letters, digits and dashes, at least two characters.</summary>
    private static string? NormalizeSearch(string? q, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return null;
        }

        var term = q.Trim().ToUpperInvariant();
        errors.When(term.Length is < 2 or > 20 || !term.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'), "q",
            "Search by case number or handle (2–20 letters, digits or dashes).");
        return term;
    }
}
