using Haven.Kintaraa.CareWork;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Chat;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Evidence;
using Haven.Kintaraa.Infrastructure;
using Haven.Kintaraa.Portal;
using Haven.Kintaraa.Routing;
using Haven.Platform.Portal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Haven.Kintaraa.Areas.Kintaraa.Pages.Cases;

/// <summary>
/// One case as the provider working it sees it: details (the survivor's handle, never more of an anonymous survivor),
/// status changes through the case lifecycle, the live conversation, evidence with its chain of custody, notes their
/// profession may read, appointments of their kind, the case history, and the provider's own part: mark it done, hand
/// it over, refer the survivor onward (evidence uploads go to <see cref="EvidenceModel"/>). A case offered to the provider shows its
/// details and the offer only. Every read and change goes through the case services, which decide access (404 when the
/// caller holds no live referral of the case).
/// </summary>
[Authorize(Policy = KintaraaPolicies.Provider)]
public sealed class CaseModel(
    CaseAccess access, CaseReader reader, IncidentService incidents, ChatService chat, EvidenceService evidence, CareWorkService careWork, ProviderDesk desk,
    ReferralActions actions) : PageModel
{
    public const int MessagesShown = 100;

    public CaseView View { get; private set; } = null!;

    public IncidentDetail Detail { get; private set; } = null!;

    public Provider Provider => View.Provider!;

    public Conversation Chat { get; private set; } = new([], false, 0, null);

    public IReadOnlyList<MessageView> History { get; private set; } = [];

    public IReadOnlyList<(EvidenceView Item, CustodyLog? Custody)> Evidence { get; private set; } = [];

    public IReadOnlyList<NoteView> Notes { get; private set; } = [];

    public IReadOnlyList<AppointmentView> Appointments { get; private set; } = [];

    public OfferRow? Offer { get; private set; }

    /// <summary>The caller's accepted parts of the case: each can be marked done or handed over.</summary>
    public IReadOnlyList<Referral> MyParts { get; private set; } = [];

    /// <summary>Services the case has no live referral for, each with why it cannot be referred yet (null: the survivor consented).</summary>
    public IReadOnlyList<(SupportService Service, string? WhyNot)> OnwardServices { get; private set; } = [];

    public IReadOnlyList<ProviderBrief> Colleagues { get; private set; } = [];

    public string? Notice { get; private set; }

    /// <summary>Failed forms by name (status, message, note, appointment, refer, evidence, each part's done and transfer) with the values to show again.</summary>
    public Dictionary<string, PortalForm> Forms { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);

    public string Group => $"{Recipients.CaseGroupKind}:{Detail.Id}";

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, [FromQuery(Name = "upload_error")] string? uploadError, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (uploadError is not null)
        {
            // The upload posts to its own streaming handler (Evidence page), which can only come back here by redirect.
            var form = new PortalForm();
            form.Add("file", EvidenceModel.Explain(uploadError));
            Forms["evidence"] = form;
        }

        Notice = done switch
        {
            "accepted" => "You accepted the referral. The survivor has been told.",
            "note" => "The note has been saved.",
            "appointment" => "Scheduled; reminders will go to you and the survivor.",
            "referred" => "The survivor has been referred onward; the new provider is being asked.",
            "evidence" => "The evidence has been added, with its chain of custody started.",
            _ => null,
        };
        return Page();
    }

    /// <summary>The conversation as HTML, for the live page to refresh after a message or a read receipt.</summary>
    public async Task<IActionResult> OnGetMessagesAsync(Guid id, CancellationToken cancellationToken)
    {
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is not { Relation: CaseRelation.Provider, IsWorkingProvider: true })
        {
            return NotFound();
        }

        return Partial("_ChatLog", await chat.ListAsync(view, null, null, MessagesShown, cancellationToken));
    }

    /// <summary>The provider has seen the conversation: their read receipt moves (JavaScript calls this when the chat is in view).</summary>
    public async Task<IActionResult> OnPostReadAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await chat.MarkReadAsync(null, id, cancellationToken);
        return result.Error is { Status: 404 } ? NotFound() : new NoContentResult();
    }

    public async Task<IActionResult> OnPostMessageAsync(Guid id, [FromForm] string? body, [FromForm(Name = "message_id")] Guid? messageId, CancellationToken cancellationToken)
    {
        var fetch = Request.Headers.XRequestedWith == "fetch";
        var result = await chat.PostAsync(id, new PostMessageRequest(messageId, body ?? ""), cancellationToken);
        if (result.Error is { Status: 404 })
        {
            return NotFound();
        }

        if (result.Error is null)
        {
            return fetch ? new NoContentResult() : Redirect($"/kintaraa/cases/{id}#chat");
        }

        if (fetch)
        {
            return new ContentResult { StatusCode = 422, Content = PortalForm.Failed(result.Error).Fields.Values.FirstOrDefault() ?? result.Error.Title, ContentType = "text/plain" };
        }

        return await FailAsync(id, "message", PortalForm.Failed(result.Error), new() { ["body"] = body }, cancellationToken);
    }

    public async Task<IActionResult> OnPostStatusAsync(Guid id, [FromForm] string? status, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        if (!SnakeEnum<CaseStatus>.TryParse(status, out var target))
        {
            var form = new PortalForm();
            form.Add("status", "Choose the new status.");
            return await FailAsync(id, "status", form, new() { ["reason"] = reason }, cancellationToken);
        }

        var result = await incidents.ChangeStatusAsync(id, target, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), cancellationToken);
        if (result.Error is { Status: 404 })
        {
            return NotFound();
        }

        return result.Error is { } error
            ? await FailAsync(id, "status", PortalForm.Failed(error), new() { ["reason"] = reason }, cancellationToken)
            // Completing or closing ends every referral of the case, the caller's too: the case leaves their list.
            : Redirect($"/kintaraa?done={SnakeEnum<CaseStatus>.Name(target)}");
    }

    public async Task<IActionResult> OnPostNoteAsync(
        Guid id, [FromForm] string? kind, [FromForm] string? body, [FromForm] bool shared, [FromForm(Name = "note_id")] Guid? noteId, CancellationToken cancellationToken)
    {
        var form = new PortalForm();
        if (!SnakeEnum<NoteKind>.TryParse(kind, out var noteKind))
        {
            form.Add("kind", "Choose the kind of note.");
        }

        if (string.IsNullOrWhiteSpace(body))
        {
            form.Add("body", "Write the note.");
        }

        if (!form.HasErrors)
        {
            var result = await careWork.CreateNoteAsync(id, new CreateNoteRequest(noteId, noteKind, body!.Trim(), shared), cancellationToken);
            if (result.Error is null)
            {
                return Redirect($"/kintaraa/cases/{id}?done=note#notes");
            }

            if (result.Error.Status == 404)
            {
                return NotFound();
            }

            form = PortalForm.Failed(result.Error);
        }

        return await FailAsync(id, "note", form, new() { ["kind"] = kind, ["body"] = body, ["shared"] = shared ? "true" : null }, cancellationToken);
    }

    public async Task<IActionResult> OnPostAppointmentAsync(
        Guid id, [FromForm] string? kind, [FromForm] string? title, [FromForm(Name = "starts_at")] DateTime? startsAt, [FromForm] string? location,
        [FromForm(Name = "appointment_id")] Guid? appointmentId, CancellationToken cancellationToken)
    {
        var form = new PortalForm();
        if (!SnakeEnum<AppointmentKind>.TryParse(kind, out var appointmentKind))
        {
            form.Add("kind", "Choose what to schedule.");
        }

        if (startsAt is null)
        {
            form.Add("starts_at", "Enter the date and time.");
        }

        var values = new Dictionary<string, string?> { ["kind"] = kind, ["title"] = title, ["location"] = location, ["starts_at"] = startsAt?.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture) };
        if (!form.HasErrors && await access.FindAsync(id, CaseAccessMode.Read, cancellationToken) is { Provider: { } provider })
        {
            // The form's local time is the provider's own time zone.
            WorkingHours.TryFindTimeZone(provider.TimeZone, out var zone);
            var local = DateTime.SpecifyKind(startsAt!.Value, DateTimeKind.Unspecified);
            var at = new DateTimeOffset(local, zone.GetUtcOffset(local));
            var result = await careWork.CreateAppointmentAsync(id, new CreateAppointmentRequest(appointmentId, appointmentKind, (title ?? "").Trim(), at, null, location), cancellationToken);
            if (result.Error is null)
            {
                return Redirect($"/kintaraa/cases/{id}?done=appointment#appointments");
            }

            if (result.Error.Status == 404)
            {
                return NotFound();
            }

            form = PortalForm.Failed(result.Error);
        }

        return await FailAsync(id, "appointment", form, values, cancellationToken);
    }

    /// <summary>Refers the survivor onward to another service, where their consent to it is on record.</summary>
    public async Task<IActionResult> OnPostReferAsync(
        Guid id, [FromForm] string? service, [FromForm(Name = "to_provider_id")] Guid? toProviderId, [FromForm] string? note, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?> { ["service"] = service, ["to_provider_id"] = toProviderId?.ToString(), ["refer_note"] = note };
        if (!SnakeEnum<SupportService>.TryParse(service, out var target))
        {
            var form = new PortalForm();
            form.Add("service", "Choose the service to refer the survivor to.");
            return await FailAsync(id, "refer", form, values, cancellationToken);
        }

        // No consent is sent: the page refers only where the survivor's own consent is already recorded.
        var result = await actions.ReferOnwardAsync(id, new OnwardReferralRequest(target, toProviderId, null, Trimmed(note)), cancellationToken);
        if (result.Error is { Status: 404 })
        {
            return NotFound();
        }

        return result.Error is { } error
            ? await FailAsync(id, "refer", PortalForm.Failed(error), values, cancellationToken)
            : Redirect($"/kintaraa/cases/{id}?done=referred#refer");
    }

    /// <summary>Hands the caller's part to another provider of their type, recording how the survivor agreed.</summary>
    public async Task<IActionResult> OnPostTransferAsync(
        Guid id, [FromForm(Name = "referral_id")] Guid referralId, [FromForm(Name = "to_provider_id")] Guid? toProviderId, [FromForm] string? method,
        [FromForm] string? note, CancellationToken cancellationToken)
    {
        if (!await OwnsPartAsync(id, referralId, cancellationToken))
        {
            return NotFound();
        }

        var values = new Dictionary<string, string?> { ["to_provider_id"] = toProviderId?.ToString(), ["method"] = method, ["transfer_note"] = note };
        if (!SnakeEnum<ConsentMethod>.TryParse(method, out var consent) || consent is not (ConsentMethod.Verbal or ConsentMethod.Written))
        {
            var form = new PortalForm();
            form.Add("consent.method", "Say how the survivor agreed to the transfer.");
            return await FailAsync(id, PartForm("transfer", referralId), form, values, cancellationToken);
        }

        var result = await actions.TransferAsync(referralId, new TransferRequest(toProviderId, new ConsentInput(consent, null), Trimmed(note)), cancellationToken);
        return await AfterPartAsync(id, PartForm("transfer", referralId), result.Result, "transferred", values, cancellationToken);
    }

    /// <summary>Marks the caller's part done; the case completes only when every part is done.</summary>
    public async Task<IActionResult> OnPostDoneAsync(Guid id, [FromForm(Name = "referral_id")] Guid referralId, [FromForm] string? note, CancellationToken cancellationToken)
    {
        if (!await OwnsPartAsync(id, referralId, cancellationToken))
        {
            return NotFound();
        }

        var result = await actions.AsProviderAsync(referralId, (view, referral, service, ct) => service.CompleteAsync(view, referral, Trimmed(note), ct), cancellationToken);
        return await AfterPartAsync(id, PartForm("done", referralId), result.Result, "part_done", new() { ["done_note"] = note }, cancellationToken);
    }

    /// <summary>The name of a part's form: a provider may hold more than one part of a case (medical and emergency care).</summary>
    public static string PartForm(string form, Guid referralId) => $"{form}-{referralId:N}";

    public IReadOnlyList<NoteKind> WritableNotes => NoteVisibility.KindsWritableBy(Provider.ProviderType);

    public IReadOnlyList<AppointmentKind> SchedulableKinds => NoteVisibility.AppointmentKindsFor(Provider.ProviderType);

    public string? Value(string field) => Values.GetValueOrDefault(field);

    /// <summary>
    /// The referral is the caller's own, of this case: a form posted with another case's referral answers 404 like any
    /// case the caller may not see (the referral's case never changes, so this holds inside the action too).
    /// </summary>
    private async Task<bool> OwnsPartAsync(Guid id, Guid referralId, CancellationToken cancellationToken) =>
        await access.FindAsync(id, CaseAccessMode.Read, cancellationToken) is { Relation: CaseRelation.Provider } view
        && view.ProviderReferrals.Any(r => r.Id == referralId);

    /// <summary>After the caller's part ends they no longer see the case: success goes back to the dashboard.</summary>
    private async Task<IActionResult> AfterPartAsync(
        Guid id, string form, IResult result, string done, Dictionary<string, string?> values, CancellationToken cancellationToken) => result switch
    {
        ProblemHttpResult { StatusCode: 404 } => NotFound(),
        ProblemHttpResult problem => await FailAsync(id, form, PortalForm.Failed(problem), values, cancellationToken),
        _ => Redirect($"/kintaraa?done={done}"),
    };

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private async Task<IActionResult> FailAsync(Guid id, string form, PortalForm state, Dictionary<string, string?> values, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Forms[form] = state;
        foreach (var (key, value) in values)
        {
            Values[key] = value;
        }

        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var view = await access.FindAsync(id, CaseAccessMode.Read, cancellationToken);
        if (view is not { Relation: CaseRelation.Provider })
        {
            return false;
        }

        View = view;
        Detail = await reader.DetailAsync(view, cancellationToken);
        if (!view.IsWorkingProvider)
        {
            Offer = view.ProviderReferrals.FirstOrDefault(r => r.Status == ReferralStatus.Pending) is { } pending
                ? await desk.OfferAsync(pending.Id, cancellationToken)
                : null;
            return true;
        }

        Chat = await chat.ListAsync(view, null, null, MessagesShown, cancellationToken);
        History = [.. (await chat.AllAsync(view, cancellationToken)).Where(m => m.Kind == MessageKind.System).Reverse()];
        var items = (await evidence.ListAsync(id, cancellationToken)).Value ?? [];
        var withCustody = new List<(EvidenceView, CustodyLog?)>();
        foreach (var item in items)
        {
            withCustody.Add((item, (await evidence.CustodyAsync(item.Id, cancellationToken)).Value));
        }

        Evidence = withCustody;
        MyParts = [.. view.ProviderReferrals.Where(r => r.Status == ReferralStatus.Accepted)];
        // A provider sees only their own referrals and the care team; a service offered to someone else is refused on submit.
        var live = Detail.Referrals.Where(r => r.Status is ReferralStatus.Pending or ReferralStatus.Accepted).Select(r => r.Service)
            .Concat(Detail.CareTeam.Select(m => m.Service)).ToHashSet();
        var consented = Detail.Consents.GroupBy(c => c.Service).Where(g => g.OrderBy(c => c.RecordedAt).Last().Granted).Select(g => g.Key).ToHashSet();
        OnwardServices = [.. Enum.GetValues<SupportService>().Where(s => !live.Contains(s))
            .Select(s => (s, consented.Contains(s) ? null : "the survivor has not consented to a referral for it. They can consent in the Kintaraa app."))];
        Colleagues = await desk.ColleaguesAsync(Provider.Id, cancellationToken);
        Notes = (await careWork.ListNotesAsync(id, cancellationToken)).Value ?? [];
        Appointments = (await careWork.ListAppointmentsAsync(id, cancellationToken)).Value ?? [];
        return true;
    }
}
