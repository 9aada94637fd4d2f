using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Providers;
using Haven.Platform.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Admin.Providers;

/// <summary>
/// One provider: profile, caseload against capacity, verification, and the admin's corrections (organisation,
/// services, capacity, availability). Every change goes through <see cref="ProviderService"/>, which audits it.
/// Forms post and redirect, so they work without JavaScript.
/// </summary>
[Authorize(Policy = KintaraaPolicies.Admin)]
public sealed class DetailModel(ProviderService providers) : PageModel
{
    public ProviderProfile Provider { get; private set; } = null!;

    public string? Done { get; private set; }

    public string? Problem { get; private set; }

    public Dictionary<string, string> FieldErrors { get; } = new(StringComparer.Ordinal);

    [BindProperty]
    public EditInput Edit { get; set; } = new();

    public sealed class EditInput
    {
        public int Version { get; set; }

        public string Organisation { get; set; } = "";

        public string? Services { get; set; }

        public int Capacity { get; set; }

        public bool IsAvailable { get; set; }

        public bool OnCall { get; set; }

        public static EditInput From(ProviderProfile p) => new()
        {
            Version = p.Version, Organisation = p.Organisation, Services = string.Join('\n', p.Services),
            Capacity = p.Capacity, IsAvailable = p.IsAvailable, OnCall = p.OnCall,
        };
    }

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Done = done switch
        {
            "verified" => "The provider is verified: they can now be routed cases.",
            "unverified" => "Verification withdrawn: the provider gets no new cases.",
            "saved" => "The profile is saved.",
            _ => null,
        };
        Edit = EditInput.From(Provider);
        return Page();
    }

    public Task<IActionResult> OnPostVerifyAsync(Guid id, string? note, CancellationToken cancellationToken) => SetVerifiedAsync(id, true, note, cancellationToken);

    public Task<IActionResult> OnPostUnverifyAsync(Guid id, string? note, CancellationToken cancellationToken) => SetVerifiedAsync(id, false, note, cancellationToken);

    public async Task<IActionResult> OnPostEditAsync(Guid id, CancellationToken cancellationToken)
    {
        var services = (Edit.Services ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outcome = await providers.EditAsync(id, new ProviderEdit(Edit.Version, Edit.Organisation ?? "", services, Edit.Capacity, Edit.IsAvailable, Edit.OnCall), cancellationToken);
        if (outcome.Error is { } error)
        {
            return await RefusedAsync(id, error, keepInput: error.Status != 409, cancellationToken);
        }

        return Redirect($"/kintaraa/admin/providers/{id}?done=saved");
    }

    private async Task<IActionResult> SetVerifiedAsync(Guid id, bool verified, string? note, CancellationToken cancellationToken)
    {
        var outcome = await providers.SetVerifiedAsync(id, verified, string.IsNullOrWhiteSpace(note) ? null : note.Trim()[..Math.Min(note.Trim().Length, 500)], cancellationToken);
        if (outcome.Error is { } error)
        {
            return error.Status == 404 ? NotFound() : await RefusedAsync(id, error, keepInput: false, cancellationToken);
        }

        return Redirect($"/kintaraa/admin/providers/{id}?done={(verified ? "verified" : "unverified")}");
    }

    private async Task<IActionResult> RefusedAsync(Guid id, Error error, bool keepInput, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Problem = error.Status == 409 ? $"{error.Title} {error.Detail} The form now shows the current profile." : "The profile was not saved: correct the fields marked below.";
        foreach (var (field, messages) in error.FieldErrors ?? new Dictionary<string, string[]>())
        {
            FieldErrors[field] = string.Join(" ", messages);
        }

        if (!keepInput)
        {
            ModelState.Clear();
            Edit = EditInput.From(Provider);
        }

        Response.StatusCode = error.Status;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await providers.FindAsync(id, cancellationToken) is not { } provider)
        {
            return false;
        }

        Provider = provider;
        return true;
    }
}
