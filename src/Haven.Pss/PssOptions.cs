using System.ComponentModel.DataAnnotations;

namespace Haven.Pss;

/// <summary>Settings under <c>Haven:Pss</c>.</summary>
public sealed class PssOptions
{
    public const string Section = "Haven:Pss";

    /// <summary>
    /// How long dashboard statistics are served from memory. A write through the same instance invalidates them at once;
    /// a write through another instance shows after at most this long.
    /// </summary>
    [Range(0, 3600)]
    public int StatsCacheSeconds { get; set; } = 120;
}
