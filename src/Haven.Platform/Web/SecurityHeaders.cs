using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Haven.Platform.Web;

/// <summary>
/// Headers on every response. The content security policy allows only same-origin scripts, styles and
/// connections (the portals load htmx, Chart.js and the SignalR client from this server and use no inline
/// script or style), and no framing anywhere.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // Swagger UI sets inline styles; its pages (and only they) may, while scripts stay same-origin only.
    private static readonly string DocsContentSecurityPolicy = ContentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    public static IApplicationBuilder UseHavenSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            context.Response.OnStarting(() =>
            {
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self), payment=()";
                if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs") ? DocsContentSecurityPolicy : ContentSecurityPolicy;
                }

                // Sensitive data must not linger in shared caches or the browser's back/forward cache.
                if (!headers.ContainsKey(HeaderNames.CacheControl))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });

    private static class HeaderNames
    {
        public const string ContentSecurityPolicy = "Content-Security-Policy";
        public const string CacheControl = "Cache-Control";
    }
}
