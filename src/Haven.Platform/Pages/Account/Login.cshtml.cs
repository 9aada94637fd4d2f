using System.ComponentModel.DataAnnotations;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Authentication;
using Haven.Platform.Portal;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Platform.Pages.Account;

/// <summary>Portal sign-in: password, then (for staff) a code from the authenticator app or a recovery code.</summary>
[AnonymousBecause("the sign-in page itself")]
public sealed class LoginModel(PortalSignIn signIn) : PageModel
{
    [BindProperty, Required(ErrorMessage = "Enter your email address."), EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email address")]
    public string Email { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Enter your password."), DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the person is here: <c>timeout</c> (idle sign-out), <c>signed_out</c>, <c>everywhere</c>.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Reason { get; set; }

    [BindProperty]
    public string? MfaChallenge { get; set; }

    [BindProperty]
    [Display(Name = "Verification code")]
    public string? Code { get; set; }

    public string? Error { get; private set; }

    public bool AskForCode => MfaChallenge is not null;

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? LocalRedirect(LocalUrl.OrHome(ReturnUrl)) : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signIn.SignInAsync(HttpContext, Email, Password, cancellationToken);
        Password = "";
        return Next(result);
    }

    public async Task<IActionResult> OnPostCodeAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        if (string.IsNullOrWhiteSpace(MfaChallenge) || string.IsNullOrWhiteSpace(Code))
        {
            ModelState.AddModelError(nameof(Code), "Enter the 6-digit code from your authenticator app, or a recovery code.");
            return Page();
        }

        var result = await signIn.CompleteMfaAsync(HttpContext, MfaChallenge, Code, cancellationToken);
        Code = null;
        if (result.Error?.Code == "mfa_challenge_expired" || result.Error?.Code == "invalid_token")
        {
            MfaChallenge = null;
        }

        return Next(result);
    }

    private IActionResult Next(PortalSignInResult result)
    {
        if (result.Error is { } error)
        {
            Error = error.Status == 429 ? error.Title + " " + (error.Detail ?? "") : error.Title;
            return Page();
        }

        if (result.MfaChallenge is not null)
        {
            MfaChallenge = result.MfaChallenge;
            return Page();
        }

        if (result.MfaEnrolmentRequired)
        {
            return Redirect(PortalPaths.MfaSetup + "?returnUrl=" + Uri.EscapeDataString(LocalUrl.OrHome(ReturnUrl)));
        }

        return LocalRedirect(LocalUrl.OrHome(ReturnUrl));
    }
}
