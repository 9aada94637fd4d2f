using System.ComponentModel.DataAnnotations;

namespace Haven.Platform.Portal;

/// <summary>Settings of the server-rendered portals, under <c>Haven:Portal</c>.</summary>
public sealed class PortalOptions
{
    public const string Section = "Haven:Portal";

    /// <summary>Seconds without activity (in any tab) after which a portal page signs the person out.</summary>
    [Range(20, 24 * 60 * 60)]
    public int IdleTimeoutSeconds { get; set; } = 15 * 60;

    /// <summary>Seconds before the sign-out when a warning offers to stay signed in (WCAG 2.2.1: a way to extend).</summary>
    [Range(10, 3600)]
    public int IdleWarningSeconds { get; set; } = 120;
}
