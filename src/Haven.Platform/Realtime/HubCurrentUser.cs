using System.Security.Claims;
using Haven.Platform.Identity;
using Microsoft.AspNetCore.Http;

namespace Haven.Platform.Realtime;

/// <summary>
/// <see cref="ICurrentUser"/> for a realtime connection: read from the principal the connection authenticated with
/// (hub calls run outside any HTTP request, so the request-bound ICurrentUser does not apply).
/// </summary>
internal sealed class HubCurrentUser(ClaimsPrincipal? principal, HttpContext? http) : ICurrentUser
{
    private readonly IReadOnlyList<RoleGrant> _roles = principal?.FindAll(HavenClaims.Role).Select(c => RoleGrant.Parse(c.Value)).ToList() ?? [];

    public bool IsAuthenticated => principal?.Identity?.IsAuthenticated == true;

    public Guid? UserId { get; } = Guid.TryParse(principal?.FindFirst(HavenClaims.UserId)?.Value, out var id) ? id : null;

    public Guid? SessionId { get; } = Guid.TryParse(principal?.FindFirst(HavenClaims.SessionId)?.Value, out var sid) ? sid : null;

    public IReadOnlyList<RoleGrant> Roles => _roles;

    public string? ClientAddress { get; } = http?.Connection.RemoteIpAddress?.ToString();

    public string? UserAgent { get; } = http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null;
}
