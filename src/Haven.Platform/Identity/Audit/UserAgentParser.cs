namespace Haven.Platform.Identity.Audit;

/// <summary>What a User-Agent says about the device, operating system and browser, coarse enough to read in a login list.</summary>
public sealed record UserAgentInfo(string Device, string OperatingSystem, string Browser)
{
    public string Summary => $"{Browser} on {OperatingSystem} ({Device})";
}

/// <summary>
/// A small, order-sensitive User-Agent parser for login auditing (the NDAS seed used django-user-agents). Order matters
/// because browsers claim each other's tokens: Edge and Opera say "Chrome", Chrome says "Safari", iPadOS says "Macintosh".
/// Unknown agents map to "other", never to a guess.
/// </summary>
public static class UserAgentParser
{
    public const string Desktop = "desktop";
    public const string Mobile = "mobile";
    public const string Tablet = "tablet";
    public const string Bot = "bot";
    public const string Other = "other";

    public static UserAgentInfo Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return new UserAgentInfo(Other, Other, Other);
        }

        var ua = userAgent;
        var os = OperatingSystemOf(ua);
        var browser = BrowserOf(ua);
        return new UserAgentInfo(DeviceOf(ua, os, browser), os, browser);
    }

    private static string OperatingSystemOf(string ua)
    {
        if (Has(ua, "Windows Phone")) return "Windows Phone";
        if (Has(ua, "Windows")) return "Windows";
        if (Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod") || Has(ua, "CFNetwork")) return "iOS";
        if (Has(ua, "Android")) return "Android";
        if (Has(ua, "CrOS")) return "ChromeOS";
        if (Has(ua, "Mac OS X") || Has(ua, "Macintosh")) return "macOS";
        if (Has(ua, "Linux") || Has(ua, "X11")) return "Linux";
        return Other;
    }

    private static string BrowserOf(string ua)
    {
        if (Has(ua, "Edg/") || Has(ua, "EdgA/") || Has(ua, "EdgiOS/") || Has(ua, "Edge/")) return "Edge";
        if (Has(ua, "OPR/") || Has(ua, "Opera")) return "Opera";
        if (Has(ua, "SamsungBrowser/")) return "Samsung Internet";
        if (Has(ua, "Firefox/") || Has(ua, "FxiOS/")) return "Firefox";
        if (Has(ua, "CriOS/") || Has(ua, "Chrome/") || Has(ua, "Chromium/")) return "Chrome";
        if (Has(ua, "Safari/") && Has(ua, "Version/")) return "Safari";
        if (Has(ua, "okhttp/")) return "Android app";
        if (Has(ua, "CFNetwork/") || Has(ua, "Darwin/")) return "iOS app";
        if (Has(ua, "Expo/") || Has(ua, "ReactNative")) return "Mobile app";
        if (Has(ua, "curl/")) return "curl";
        if (Has(ua, "python-requests") || Has(ua, "python-httpx")) return "Python";
        if (Has(ua, "PostmanRuntime")) return "Postman";
        return Other;
    }

    private static string DeviceOf(string ua, string os, string browser)
    {
        if (Has(ua, "bot") || Has(ua, "crawler") || Has(ua, "spider")) return Bot;
        if (Has(ua, "iPad") || Has(ua, "Tablet") || (os == "Android" && !Has(ua, "Mobile") && browser != "Android app")) return Tablet;
        if (Has(ua, "Mobi") || Has(ua, "iPhone") || Has(ua, "iPod") || os is "Android" or "iOS" or "Windows Phone") return Mobile;
        if (os is "Windows" or "macOS" or "Linux" or "ChromeOS") return Desktop;
        return Other;
    }

    private static bool Has(string ua, string token) => ua.Contains(token, StringComparison.OrdinalIgnoreCase);
}
