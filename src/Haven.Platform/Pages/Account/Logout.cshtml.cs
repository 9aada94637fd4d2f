using Haven.Platform.Identity;
using Haven.Platform.Identity.Authentication;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Platform.Pages.Account;

/// <summary>Sign-out ends the session on the server (its tokens stop working), not just in this browser. POST only.</summary>
[AnonymousBecause("signing out must work even when the session has already ended")]
public sealed class LogoutModel(PortalSignIn signIn) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Reason { get; set; }

    public IActionResult OnGet() => Redirect(PortalPaths.Account);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await signIn.SignOutAsync(HttpContext, cancellationToken);
        return Redirect(PortalPaths.SignIn + "?reason=" + (Reason == "timeout" ? "timeout" : "signed_out"));
    }

    public async Task<IActionResult> OnPostEverywhereAsync(CancellationToken cancellationToken)
    {
        await signIn.SignOutEverywhereAsync(HttpContext, cancellationToken);
        return Redirect(PortalPaths.SignIn + "?reason=everywhere");
    }
}
