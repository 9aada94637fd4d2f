using System.ComponentModel.DataAnnotations;

namespace Haven.Platform.Configuration;

/// <summary>Web-wide settings under <c>Haven:Web</c>; validated at start-up.</summary>
public sealed class HavenWebOptions
{
    public const string Section = "Haven:Web";

    /// <summary>Origins allowed to call the API from a browser (e.g. the PSS React front end). Empty: same origin only.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>Largest request body outside endpoints that declare their own limit (uploads).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Requests per minute for one signed-in user.</summary>
    [Range(1, int.MaxValue)]
    public int RateLimitPerUserPerMinute { get; set; } = 100;

    /// <summary>Requests per minute for one client address when nobody is signed in.</summary>
    [Range(1, int.MaxValue)]
    public int RateLimitPerAddressPerMinute { get; set; } = 100;

    /// <summary>Reverse proxies whose X-Forwarded-For is trusted; the client address drives rate limits and the audit trail.</summary>
    public string[] KnownProxies { get; set; } = [];

    [Range(0, 10 * 365)]
    public int HstsMaxAgeDays { get; set; } = 365;
}
