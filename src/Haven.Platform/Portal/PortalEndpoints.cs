using Haven.Platform.Identity;
using Haven.Platform.Identity.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Haven.Platform.Portal;

public static class PortalEndpoints
{
    public static IEndpointRouteBuilder MapHavenPortal(this IEndpointRouteBuilder endpoints)
    {
        // "Stay signed in" on the idle warning: any authenticated request keeps the session (and renews the access
        // cookie when due); this one does nothing else.
        endpoints.MapGet(PortalPaths.KeepAlive, () => TypedResults.NoContent())
            .RequireAuthorization(HavenPolicies.SignedIn)
            .ExcludeFromDescription();
        return endpoints;
    }
}
