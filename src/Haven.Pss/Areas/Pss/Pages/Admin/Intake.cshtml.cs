using Haven.Platform.Identity;
using Haven.Platform.Portal;
using Haven.Pss.Access;
using Haven.Pss.Intake;
using Haven.Pss.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Pss.Areas.Pss.Pages.Admin;

/// <summary>
/// Staff edit a programme's intake form (a superuser also the default form) and publish it as a new version. Every
/// button posts the whole editor, so it works without JavaScript; only "Publish" saves anything.
/// </summary>
[Authorize(Policy = HavenPolicies.Pss.Staff)]
public sealed class IntakeModel(IntakeService intake, PssCaller caller, IUserDirectory directory) : PageModel
{
    public static readonly IReadOnlyList<(string Value, string Label)> TypeLabels =
    [
        (FieldTypes.Text, "Short text"), (FieldTypes.Textarea, "Long text"), (FieldTypes.Number, "Number"), (FieldTypes.Date, "Date"),
        (FieldTypes.Boolean, "Tick box (yes or no)"), (FieldTypes.Choice, "One choice from a list"), (FieldTypes.MultiChoice, "Several choices from a list"),
    ];

    public Guid? TenantId { get; private set; }

    public IReadOnlyList<(Guid? Id, string Name)> Scopes { get; private set; } = [];

    public IReadOnlyList<IntakeFormView> Versions { get; private set; } = [];

    public IntakeFormView Current { get; private set; } = null!;

    public FormEditor Editor { get; private set; } = null!;

    public PortalForm State { get; } = new();

    public string? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "tenant_id")] Guid? tenantId, string? status, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(tenantId, cancellationToken))
        {
            return NotFound();
        }

        Status = status == "published" ? $"Version {Current.Version} is published. New intake forms use it from now on." : null;
        Editor = FormEditor.From(Current.Definition);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "tenant_id")] Guid? tenantId, string? command, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(tenantId, cancellationToken))
        {
            return NotFound();
        }

        Editor = FormEditor.Read(Request.Form);
        var (verb, index) = Parse(command);
        switch (verb)
        {
            case "add":
                Editor = Editor.Add();
                return Page();
            case "up":
                Editor = Editor.Move(index, -1);
                return Page();
            case "down":
                Editor = Editor.Move(index, 1);
                return Page();
            case "remove":
                Editor = Editor.Remove(index);
                return Page();
        }

        var published = await intake.PublishAsync(TenantId, Editor.ToDefinition(), cancellationToken);
        if (!published.Failed)
        {
            return Redirect($"/pss/admin/intake?status=published{(TenantId is null ? "" : "&tenant_id=" + TenantId)}");
        }

        if (published.Error!.FieldErrors is { } fields)
        {
            foreach (var (key, messages) in fields)
            {
                State.Add(FormEditor.InputFor(key), string.Join(" ", messages));
            }
        }
        else
        {
            State.Fail(published.Error);
        }

        return Page();
    }

    private static (string Verb, int Index) Parse(string? command)
    {
        var parts = (command ?? "publish").Split(':');
        return (parts[0], parts.Length > 1 && int.TryParse(parts[1], out var i) ? i : -1);
    }

    private async Task<bool> LoadAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        var programmes = await directory.TenantsAsync(PssModule.ModuleName, caller.StaffScope, cancellationToken);
        var scopes = programmes.Select(p => ((Guid?)p.Id, p.Name)).ToList();
        if (caller.IsSuperuser)
        {
            scopes.Insert(0, (null, "The default form (programmes without their own)"));
        }

        if (scopes.Count == 0)
        {
            return false;
        }

        TenantId = tenantId is not null ? tenantId : scopes[0].Item1;
        if (!scopes.Any(s => s.Item1 == TenantId))
        {
            return false;
        }

        Scopes = scopes;
        var current = await intake.CurrentForCallerAsync(TenantId, cancellationToken);
        if (current.Failed)
        {
            return false;
        }

        Current = current.Value!;
        Versions = [.. (await intake.ListFormsAsync(TenantId, cancellationToken)).Where(v => v.TenantId == TenantId || v.TenantId == null)];
        return true;
    }
}
