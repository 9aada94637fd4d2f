using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Haven.Platform.Web;

/// <summary>
/// The seeds' clients call <c>/api/auth/login/</c> (Django style) while others call <c>/api/auth/login</c>; both must
/// reach the same endpoint. API routes are declared without the slash and a trailing slash is dropped before routing.
/// </summary>
public static class TrailingSlash
{
    public static IApplicationBuilder UseHavenTrailingSlash(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value;
            if (path is { Length: > 5 } && path.EndsWith('/') && path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            {
                context.Request.Path = new PathString(path.TrimEnd('/'));
            }

            return next(context);
        });
}
