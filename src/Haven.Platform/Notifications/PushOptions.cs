using System.ComponentModel.DataAnnotations;

namespace Haven.Platform.Notifications;

/// <summary>
/// Settings under <c>Haven:Push</c>. Push is off until an FCM service account is configured
/// (<c>Haven:Push:Fcm:ServiceAccountJson</c> — a secret: set it from the environment or a secret store, never in
/// appsettings — or <c>Haven:Push:Fcm:ServiceAccountFile</c>).
/// </summary>
public sealed class PushOptions
{
    public const string Section = "Haven:Push";

    /// <summary>The one title every push shows. Neutral on purpose: it may be read on a locked screen.</summary>
    [Required, StringLength(60, MinimumLength = 1)]
    public string Title { get; set; } = "New activity";

    [Required, StringLength(120, MinimumLength = 1)]
    public string Body { get; set; } = "Open the app to see it.";

    public FcmOptions Fcm { get; set; } = new();

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Fcm.ServiceAccountJson) || !string.IsNullOrWhiteSpace(Fcm.ServiceAccountFile);
}

public sealed class FcmOptions
{
    /// <summary>FCM HTTP v1 endpoint root (tests point it at a local recorder).</summary>
    public string BaseUrl { get; set; } = "https://fcm.googleapis.com";

    /// <summary>Firebase project; defaults to the service account's <c>project_id</c>.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The service account key file's JSON content.</summary>
    public string? ServiceAccountJson { get; set; }

    /// <summary>Path to the service account key file.</summary>
    public string? ServiceAccountFile { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
