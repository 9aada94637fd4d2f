namespace Haven.Platform.Portal;

public static class LocalUrl
{
    /// <summary>
    /// The return address after sign-in, only if it stays on this site (an open redirect would let a phishing link
    /// send a freshly signed-in person anywhere).
    /// </summary>
    public static string OrHome(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal)
            ? url
            : "/";
}
