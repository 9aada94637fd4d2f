using Haven.Platform.Identity;
using Haven.Platform.Identity.Authentication;
using Haven.Platform.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Platform.Pages.Account;

/// <summary>
/// Enrols an authenticator app (required for staff roles before anything else works). Shows the secret as text and
/// as an otpauth:// link (which opens the authenticator on a phone); the recovery codes are shown once afterwards.
/// </summary>
[Authorize(Policy = HavenPolicies.MfaEnrolment)]
public sealed class MfaSetupModel(PortalSignIn signIn) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public string? Secret { get; private set; }

    public string? OtpAuthUri { get; private set; }

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public string? Error { get; private set; }

    public string Continue => LocalUrl.OrHome(ReturnUrl);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await BeginAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Code))
        {
            Error = "Enter the 6-digit code your authenticator app shows.";
            await BeginAsync(cancellationToken);
            return Page();
        }

        var (codes, error) = await signIn.ConfirmMfaEnrolmentAsync(HttpContext, Code.Trim(), cancellationToken);
        if (error is not null)
        {
            Error = error.Code == "mfa_already_enabled" ? "Two-step verification is already on for your account." : error.Title;
            if (error.Code != "mfa_already_enabled")
            {
                await BeginAsync(cancellationToken);
            }

            return Page();
        }

        RecoveryCodes = codes;
        return Page();
    }

    private async Task BeginAsync(CancellationToken cancellationToken)
    {
        var (secret, uri) = await signIn.BeginMfaEnrolmentAsync(HttpContext, cancellationToken);
        Secret = string.Join(' ', secret.Chunk(4).Select(c => new string(c)));
        OtpAuthUri = uri;
    }
}
