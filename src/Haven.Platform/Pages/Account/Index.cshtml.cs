using System.ComponentModel.DataAnnotations;
using Haven.Platform.Data;
using Haven.Platform.Identity;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Endpoints;
using Haven.Platform.Identity.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Pages.Account;

/// <summary>My account: where I am signed in (end any of it), my recent sign-ins, my password.</summary>
[Authorize(Policy = HavenPolicies.SignedIn)]
public sealed class IndexModel(PlatformDbContext db, ICurrentUser current, TimeProvider clock) : PageModel
{
    public IReadOnlyList<SessionView> Sessions { get; private set; } = [];

    public IReadOnlyList<LoginEventView> Logins { get; private set; } = [];

    public string? Email { get; private set; }

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    [BindProperty, DataType(DataType.Password), Display(Name = "Current password")]
    public string? CurrentPassword { get; set; }

    [BindProperty, DataType(DataType.Password), Display(Name = "New password")]
    public string? NewPassword { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostRevokeAsync(Guid session, CancellationToken cancellationToken)
    {
        var mine = await db.Sessions.AnyAsync(s => s.Id == session && s.UserId == current.UserId && s.RevokedAt == null, cancellationToken);
        if (!mine)
        {
            return NotFound();
        }

        await HttpContext.RequestServices.GetRequiredService<SessionService>().RevokeAsync(session, RevocationReasons.User, cancellationToken);
        if (session == current.SessionId)
        {
            return Redirect(Identity.Authentication.PortalPaths.SignIn + "?reason=signed_out");
        }

        Message = "That session has ended.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken cancellationToken)
    {
        var error = await HttpContext.RequestServices.GetRequiredService<AccountService>()
            .ChangePasswordAsync(current.UserId!.Value, current.SessionId!.Value, CurrentPassword ?? "", NewPassword ?? "", cancellationToken);
        CurrentPassword = NewPassword = null;
        if (error is not null)
        {
            Error = error.FieldErrors is { Count: > 0 } fields ? string.Join(" ", fields.SelectMany(f => f.Value)) : error.Title;
        }
        else
        {
            Message = "Your password has changed. Other sessions have been signed out.";
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var userId = current.UserId!.Value;
        Email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        Sessions = await AccountEndpoints.OpenSessionsAsync(db, userId, current.SessionId, clock.GetUtcNow(), cancellationToken);
        Logins = (await AccountEndpoints.LoginEventPageAsync(db.LoginEvents.AsNoTracking().Where(e => e.UserId == userId), 1, 10, cancellationToken)).Items;
    }
}
