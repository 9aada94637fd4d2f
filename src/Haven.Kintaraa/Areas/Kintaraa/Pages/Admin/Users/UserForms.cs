using Haven.Platform.Identity;
using Haven.Platform.Identity.Endpoints;
using Haven.Platform.Web;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Users;

/// <summary>The Kintaraa roles an admin hands out here (survivors register themselves), and how the pages name them.</summary>
public static class KintaraaStaffRoles
{
    public static readonly IReadOnlyList<(string Role, string Label)> Grantable =
    [
        (HavenRoles.Kintaraa.Provider, "Service provider"),
        (HavenRoles.Kintaraa.Admin, "Kintaraa administrator"),
    ];

    public static string Label(string role) => role switch
    {
        HavenRoles.Kintaraa.Provider => "Service provider",
        HavenRoles.Kintaraa.Admin => "Kintaraa administrator",
        HavenRoles.Kintaraa.Survivor => "Survivor",
        HavenRoles.Platform.Admin => "Platform administrator",
        _ => role,
    };

    public static string Describe(GrantView grant) =>
        Label(grant.Role) + (grant.ProviderType is { } t ? $" ({t.Replace('_', ' ')})" : "") + (grant.TenantName is { } n ? $", {n}" : "");

    /// <summary>An error's message for a person: the first field message, else its title.</summary>
    public static string Message(Error error) => error.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? error.Title;
}
