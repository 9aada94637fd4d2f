namespace Haven.Platform.Identity.Authentication;

/// <summary>Where the shared portal account pages live (Haven.Platform/Pages/Account).</summary>
public static class PortalPaths
{
    public const string SignIn = "/account/login";
    public const string MfaSetup = "/account/mfa-setup";
    public const string Denied = "/account/denied";
    public const string Account = "/account";
    public const string SignOut = "/account/logout";
    public const string KeepAlive = "/account/keepalive";
}
