using System.ComponentModel.DataAnnotations;
using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Haven.Platform.Audit;

/// <summary>
/// Which entries a caller may read. Platform admins: all. A user-administering role (<see cref="HavenRoles.UserAdmins"/>,
/// e.g. <c>kintaraa.admin</c>, <c>lers.super_admin</c>) granted in a tenant: the entries of that tenant; granted without
/// one: every entry of its module. The endpoints admit these roles (<see cref="HavenPolicies.UserAdmin"/>). Exporting the
/// chain, which spans every tenant, is for platform admins (<see cref="HavenPolicies.Platform.Admin"/>). Verifying it is
/// also open to whole-module admins (<see cref="MayVerify"/>): their module's entries are links of the same chain, and
/// the answer names only the position of a break, never another tenant's content.
/// </summary>
public sealed class AuditScope
{
    private AuditScope(bool isPlatformAdmin, IReadOnlySet<Guid> tenants, IReadOnlySet<string> modules)
    {
        IsPlatformAdmin = isPlatformAdmin;
        Tenants = tenants;
        Modules = modules;
    }

    public bool IsPlatformAdmin { get; }

    public IReadOnlySet<Guid> Tenants { get; }

    public IReadOnlySet<string> Modules { get; }

    public static AuditScope Of(ICurrentUser user)
    {
        var admin = user.Roles.Where(r => HavenRoles.UserAdmins.Contains(r.Role)).ToList();
        return new AuditScope(
            admin.Any(r => r.Role == HavenRoles.Platform.Admin),
            admin.Where(r => r.Role != HavenRoles.Platform.Admin && r.TenantId is not null).Select(r => r.TenantId!.Value).ToHashSet(),
            admin.Where(r => r.Role != HavenRoles.Platform.Admin && r.TenantId is null).Select(r => r.Module).ToHashSet(StringComparer.Ordinal));
    }

    public IQueryable<AuditEntry> Filter(IQueryable<AuditEntry> entries)
    {
        if (IsPlatformAdmin)
        {
            return entries;
        }

        var tenants = Tenants.ToList();
        var modules = Modules.Select(m => m + ".%").ToArray();
        return entries.Where(e => (e.TenantId != null && tenants.Contains(e.TenantId.Value)) || modules.Any(m => EF.Functions.Like(e.Action, m)));
    }

    /// <summary>Platform admins and admins of a whole module; an admin bound to one tenant answers for that tenant only.</summary>
    public bool MayVerify => IsPlatformAdmin || Modules.Count > 0;

    public bool Covers(AuditEntry entry) =>
        IsPlatformAdmin || (entry.TenantId is { } tenant && Tenants.Contains(tenant)) || Modules.Contains(entry.Action[..entry.Action.IndexOf('.')]);
}

public sealed record AuditActorResponse(string Type, Guid? UserId, Guid? SessionId, string? Name, IReadOnlyList<string> Roles);

public sealed record AuditChangeResponse(string Field, string? Old, string? New, bool Redacted);

public sealed record AuditEntryResponse(
    long Seq, DateTimeOffset OccurredAt, AuditActorResponse Actor, Guid? TenantId, string? ClientAddress, string? UserAgent, string? RequestId,
    string Action, string ResourceType, string? ResourceId, string? Note, IReadOnlyList<AuditChangeResponse> Changes, string PrevHash, string Hash)
{
    public static AuditEntryResponse From(AuditEntry e) => new(
        e.Seq, e.OccurredAt, new AuditActorResponse(e.ActorType, e.ActorId, e.SessionId, e.ActorName, e.ActorRoles), e.TenantId, e.ClientAddress,
        e.UserAgent, e.RequestId, e.Action, e.ResourceType, e.ResourceId, e.Note,
        [.. AuditCanonical.ParseChanges(System.Text.Encoding.UTF8.GetBytes(e.Changes)).Select(c => new AuditChangeResponse(c.Field, c.Old, c.New, c.IsRedacted))],
        Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash));
}

public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, int Total, int Page, int PageSize);

public sealed record AuditSearch
{
    [FromQuery(Name = "tenant_id")] public Guid? TenantId { get; init; }

    /// <summary>An action, or a dotted prefix of one: <c>kintaraa</c> matches every Kintaraa action.</summary>
    [FromQuery(Name = "action")] public string? Action { get; init; }

    [FromQuery(Name = "resource_type")] public string? ResourceType { get; init; }

    [FromQuery(Name = "resource_id")] public string? ResourceId { get; init; }

    [FromQuery(Name = "actor_id")] public Guid? ActorId { get; init; }

    [FromQuery(Name = "from")] public DateTimeOffset? From { get; init; }

    [FromQuery(Name = "to")] public DateTimeOffset? To { get; init; }

    [FromQuery(Name = "page")] public int? Page { get; init; }

    [FromQuery(Name = "page_size")] public int? PageSize { get; init; }
}

public sealed record AuditVerifyRequest
{
    [Range(1, long.MaxValue)] public long? FromSeq { get; init; }

    [Range(1, long.MaxValue)] public long? ToSeq { get; init; }

    /// <summary>Hashes recorded earlier outside the database, as <c>seq:hash</c>.</summary>
    public IReadOnlyList<string>? Anchors { get; init; }
}

public sealed record AuditVerifyResponse(bool Intact, long FromSeq, long ToSeq, long Checked, string? LastHash, AuditBreak? Break);

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapHavenAudit(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/platform/audit").WithTags("Audit");
        group.MapGet("/entries", SearchAsync).WithName("SearchAuditEntries")
            .WithSummary("Search the audit trail: tenant admins see their tenant's entries, platform admins all.")
            .RequireAuthorization(HavenPolicies.UserAdmin);
        group.MapGet("/entries/{seq:long}", GetAsync).WithName("GetAuditEntry")
            .WithSummary("One audit entry with its hash and its predecessor's.")
            .RequireAuthorization(HavenPolicies.UserAdmin);
        group.MapPost("/verify", VerifyAsync).WithName("VerifyAuditChain")
            .WithSummary("Walk the hash chain (or a range) and name the first entry altered, removed or inserted (platform and whole-module admins).")
            .RequireAuthorization(HavenPolicies.UserAdmin);
        group.MapGet("/export", ExportAsync).WithName("ExportAuditChain")
            .WithSummary("A range of the chain as a JSON Lines file a third party can verify alone (docs/audit-export.md).")
            .RequireAuthorization(HavenPolicies.Platform.Admin);
        return endpoints;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> SearchAsync(
        [AsParameters] AuditSearch search, AuditReader reader, CancellationToken cancellationToken)
    {
        var (page, error) = await reader.SearchAsync(search, cancellationToken);
        return error is not null ? error.ToProblem() : TypedResults.Ok(page!);
    }

    private static async Task<Results<Ok<AuditEntryResponse>, ProblemHttpResult>> GetAsync(long seq, AuditReader reader, CancellationToken cancellationToken) =>
        await reader.GetAsync(seq, cancellationToken) is { } entry ? TypedResults.Ok(entry) : Errors.NotFound("Audit entry").ToProblem();

    private static async Task<Results<Ok<AuditVerifyResponse>, ProblemHttpResult>> VerifyAsync(
        AuditVerifyRequest? request, AuditReader reader, CancellationToken cancellationToken)
    {
        if (!reader.Scope.MayVerify)
        {
            return Errors.Forbidden("forbidden", "Verifying the chain is for platform admins and admins of a whole module.").ToProblem();
        }

        request ??= new AuditVerifyRequest();
        var anchors = new List<AuditAnchor>();
        var errors = new FieldErrors().When(request.FromSeq > request.ToSeq, "from_seq", "'from_seq' is after 'to_seq'.");
        foreach (var anchor in request.Anchors ?? [])
        {
            try
            {
                anchors.Add(AuditAnchor.Parse(anchor));
            }
            catch (FormatException e)
            {
                errors.Add("anchors", e.Message);
            }
        }

        if (errors.AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        var result = await reader.VerifyAsync(request.FromSeq, request.ToSeq, anchors, cancellationToken);
        return TypedResults.Ok(new AuditVerifyResponse(result.Intact, result.FromSeq, result.ToSeq, result.Checked, result.LastHash, result.Break));
    }

    private static async Task<IResult> ExportAsync(
        [FromQuery(Name = "from_seq")] long? fromSeq, [FromQuery(Name = "to_seq")] long? toSeq, HttpContext http,
        NpgsqlDataSource dataSource, IAuditTrail audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (new FieldErrors()
                .When(fromSeq < 1, "from_seq", "Entries are numbered from 1.")
                .When(toSeq < 1, "to_seq", "Entries are numbered from 1.")
                .When(fromSeq > toSeq, "from_seq", "'from_seq' is after 'to_seq'.")
                .AsError() is { } invalid)
        {
            return invalid.ToProblem();
        }

        // The export is a sensitive read: it is recorded before a byte leaves, and then appears in later exports.
        await audit.AppendAsync(new AuditEvent("platform.audit.exported", "audit_chain", null)
        {
            Note = $"entries {fromSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1"}-{toSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "end"}",
        }, cancellationToken);
        var reader = await AuditExport.OpenAsync(dataSource, fromSeq, toSeq, clock, cancellationToken);
        http.Response.RegisterForDisposeAsync(reader);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Stream(output => reader.WriteToAsync(output, cancellationToken), AuditExport.MediaType, reader.FileName);
    }
}
