using Microsoft.AspNetCore.Http;

namespace Haven.Platform.Identity;

/// <summary><see cref="ICurrentUser"/> read from the request's authenticated principal.</summary>
internal sealed class HttpCurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    private IReadOnlyList<RoleGrant>? _roles;

    private HttpContext? Http => accessor.HttpContext;

    public bool IsAuthenticated => Http?.User.Identity?.IsAuthenticated == true;

    public Guid? UserId => Guid.TryParse(Http?.User.FindFirst(HavenClaims.UserId)?.Value, out var id) ? id : null;

    public Guid? SessionId => Guid.TryParse(Http?.User.FindFirst(HavenClaims.SessionId)?.Value, out var id) ? id : null;

    public IReadOnlyList<RoleGrant> Roles => _roles ??= Http?.User.FindAll(HavenClaims.Role).Select(c => RoleGrant.Parse(c.Value)).ToList() ?? [];

    public string? ProviderType => Http?.User.FindFirst(HavenClaims.ProviderType)?.Value;

    public string? ClientAddress => Http?.Connection.RemoteIpAddress?.ToString();

    public string? UserAgent => Http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null;
}
