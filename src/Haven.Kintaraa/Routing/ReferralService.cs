using System.Globalization;
using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;
using Haven.Kintaraa.Infrastructure;
using Haven.Platform.Notifications;
using Haven.Platform.Realtime;
using Haven.Platform.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Haven.Kintaraa.Routing;

/// <summary>Consent a provider recorded on the survivor's behalf (what they said, or a signed form).</summary>
public sealed record RecordedConsent(ConsentMethod Method, string? Note);

/// <summary>
/// Referrals: routing a service of a case to the best provider, the provider's answer, re-routing, hand-overs and
/// onward referrals, the admin queue, and keeping each provider's caseload equal to the active referrals they hold.
/// Every method expects to run inside <see cref="CaseTransactions"/> with the case locked (<see cref="CaseAccessMode.Write"/>).
/// </summary>
public sealed class ReferralService(KintaraaDbContext db, TimeProvider clock, IOptions<KintaraaOptions> options, CaseJournal journal)
{
    private KintaraaOptions Options => options.Value;

    public static readonly Error ReferralNotFound = Errors.NotFound("Referral");

    public static Error IllegalReferralTransition(ReferralStatus status, string action) => Errors.Conflict(
        "illegal_referral_transition", $"A {SnakeEnum<ReferralStatus>.Name(status)} referral cannot be {action}.") with
    {
        Extensions = new Dictionary<string, object?> { ["referral_status"] = SnakeEnum<ReferralStatus>.Name(status) },
    };

    public static Error ConsentRequired(SupportService service) => Errors.Conflict(
        "consent_required", $"The survivor has not consented to a referral for {CaseWording.Service(service)}.",
        "Ask the survivor; record their consent on the case (or send it with this request) before referring.");

    public static readonly Error CaseClosed = Errors.Conflict("case_closed", "The case is closed.");

    /// <summary>The consent in force for each service of a case (the latest decision per service).</summary>
    public async Task<Dictionary<SupportService, Consent>> CurrentConsentsAsync(Guid incidentId, CancellationToken cancellationToken)
    {
        var all = await db.Consents.Where(c => c.IncidentId == incidentId).ToListAsync(cancellationToken);
        all.AddRange(db.ChangeTracker.Entries<Consent>().Where(e => e.State == EntityState.Added && e.Entity.IncidentId == incidentId).Select(e => e.Entity));
        return all.GroupBy(c => c.Service).ToDictionary(g => g.Key, g => g.OrderBy(c => c.RecordedAt).ThenBy(c => c.Id).Last());
    }

    public Consent RecordConsent(Guid incidentId, SupportService service, bool granted, ConsentMethod method, Guid? by, ParticipantRole role, string? note)
    {
        var consent = new Consent
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            IncidentId = incidentId,
            Service = service,
            Granted = granted,
            Method = method,
            RecordedBy = by,
            RecordedByRole = role,
            Note = note,
            RecordedAt = clock.GetUtcNow(),
        };
        db.Consents.Add(consent);
        journal.Audit(granted ? "kintaraa.consent.granted" : "kintaraa.consent.withdrawn", "incident", incidentId,
            new { service = SnakeEnum<SupportService>.Name(service), method = SnakeEnum<ConsentMethod>.Name(method) });
        return consent;
    }

    /// <summary>
    /// Routes one service of a case: offers it to the best eligible provider (reserving one of their places), or puts
    /// it in the admin queue with an alert when none can take it. Does nothing when the service already has a live
    /// referral. <paramref name="queued"/> is a referral already waiting in the queue, filled in place when a provider fits.
    /// </summary>
    public async Task<Referral> RouteAsync(
        Incident incident, SupportService service, ReferralKind kind, CancellationToken cancellationToken,
        Referral? queued = null, Referral? previous = null, Guid? referredBy = null, Guid? fromProviderId = null, string? note = null, Guid? alsoExclude = null)
    {
        // One read of the service's referral history: a live one means there is nothing to route; declined ones are not asked again.
        var history = await db.Referrals.Where(r => r.IncidentId == incident.Id && r.Service == service).ToListAsync(cancellationToken);
        if (queued is null && history.FirstOrDefault(r => r.IsActive) is { } live)
        {
            return live;
        }

        var type = SupportServices.ProviderTypeFor(service);
        var exclude = history.Where(r => r.ProviderId != null && r.Status == ReferralStatus.Declined).Select(r => r.ProviderId!.Value).ToList();
        foreach (var skip in new[] { fromProviderId, alsoExclude })
        {
            if (skip is { } id)
            {
                exclude.Add(id);
            }
        }

        var now = clock.GetUtcNow();
        var providers = await db.Providers.AsNoTracking().Where(p => p.ProviderType == type).ToDictionaryAsync(p => p.Id, cancellationToken);
        var candidates = providers.Values.Select(p => new RoutingCandidate(p.Id, p.Organisation, p.IsVerified, p.IsAvailable, p.OnCall, p.TimeZone,
            p.WorkingHours, p.Capacity, p.Caseload, p.Latitude, p.Longitude, p.Rating, p.RatingCount, p.ResponseTimeMinutes));
        var result = RoutingEngine.Rank(
            new RoutingRequest(type, incident.Priority, incident.Location?.Latitude, incident.Location?.Longitude, now, exclude.ToHashSet()),
            candidates, Options.Routing);

        RankedCandidate? chosen = null;
        foreach (var candidate in result.Ranked)
        {
            // Another report may have taken the last place since the candidates were read: only a successful
            // conditional increment reserves a place.
            if (await TryReserveAsync(candidate.Provider.Id, cancellationToken))
            {
                chosen = candidate;
                break;
            }
        }

        var referral = queued ?? new Referral
        {
            Id = Guid.CreateVersion7(now),
            IncidentId = incident.Id,
            Service = service,
            ProviderType = type,
            Kind = kind,
            Status = ReferralStatus.Pending,
            Attempt = previous is null ? 1 : previous.Attempt + 1,
            ReferredBy = referredBy,
            FromProviderId = fromProviderId,
            PreviousReferralId = previous?.Id,
            Note = note,
            CreatedAt = now,
        };
        referral.Routing = result.TraceFor(chosen);
        if (queued is null)
        {
            db.Referrals.Add(referral);
        }

        if (chosen is null)
        {
            referral.QueuedAt = now;
            journal.SystemMessage(incident.Id,
                $"No provider for {CaseWording.Service(service)} could take this case yet. It is waiting for a coordinator, who has been alerted.");
            journal.Audit("kintaraa.referral.queued", "referral", referral.Id, new { incident.CaseNumber, service = SnakeEnum<SupportService>.Name(service), referral.Routing.Reasons });
            journal.Publish("referral.unrouted", new { incident_id = incident.Id, incident.CaseNumber, referral_id = referral.Id, service = SnakeEnum<SupportService>.Name(service), priority = SnakeEnum<Priority>.Name(incident.Priority) }, Recipients.Coordinators);
            return referral;
        }

        Offer(incident, referral, providers[chosen.Provider.Id], chosen.Score, chosen.DistanceKm, now);
        return referral;
    }

    /// <summary>An admin's choice of provider for a service (verified, of the right type, with a free place).</summary>
    public async Task<Outcome<Referral>> AssignAsync(Incident incident, SupportService service, Guid providerId, Guid adminId, string? note, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.AsNoTracking().FirstOrDefaultAsync(p => p.Id == providerId, cancellationToken);
        if (provider is null)
        {
            return Errors.Validation("provider_id", "No such provider.");
        }

        if (provider.ProviderType != SupportServices.ProviderTypeFor(service))
        {
            return Errors.Validation("provider_id", $"{CaseWording.Service(service)} is provided by {SnakeEnum<ProviderType>.Name(SupportServices.ProviderTypeFor(service))} providers.");
        }

        if (!provider.IsVerified)
        {
            return Errors.Conflict("provider_not_verified", "Only verified providers can be assigned cases.");
        }

        var live = await ActiveReferralAsync(incident.Id, service, cancellationToken);
        if (live is { ProviderId: { } current } && current == providerId)
        {
            return live;
        }

        if (live is { Status: ReferralStatus.Accepted })
        {
            return Errors.Conflict("already_accepted", $"A provider already accepted the {CaseWording.Service(service)} referral; transfer it instead.");
        }

        if (!await TryReserveAsync(providerId, cancellationToken))
        {
            return Errors.Conflict("provider_at_capacity", "The provider has no free place.");
        }

        var now = clock.GetUtcNow();
        Referral referral;
        if (live is { ProviderId: null })
        {
            // The queued referral is finally routed: its creation time stays, so time-to-assignment includes the wait.
            referral = live;
            referral.Kind = ReferralKind.Manual;
            referral.ReferredBy = adminId;
            referral.Note = note ?? referral.Note;
        }
        else
        {
            if (live is not null)
            {
                End(live, ReferralStatus.Revoked, now, reason: "Reassigned by a coordinator.");
                await db.SaveChangesAsync(cancellationToken);
            }

            referral = new Referral
            {
                Id = Guid.CreateVersion7(now),
                IncidentId = incident.Id,
                Service = service,
                ProviderType = provider.ProviderType,
                Kind = ReferralKind.Manual,
                Status = ReferralStatus.Pending,
                Attempt = (live?.Attempt ?? 0) + 1,
                ReferredBy = adminId,
                PreviousReferralId = live?.Id,
                Note = note,
                CreatedAt = now,
            };
            db.Referrals.Add(referral);
        }

        referral.Routing = new RoutingTrace(1, new Dictionary<string, int>(), ["chosen by a coordinator"], []);
        var distance = incident.Location is { Latitude: { } lat, Longitude: { } lon } && provider is { Latitude: { } plat, Longitude: { } plon }
            ? Math.Round(GeoDistance.Kilometres(lat, lon, plat, plon), 2)
            : (double?)null;
        Offer(incident, referral, provider, null, distance, now);
        return referral;
    }

    public async Task<Error?> AcceptAsync(CaseView view, Referral referral, CancellationToken cancellationToken)
    {
        if (referral.Status != ReferralStatus.Pending)
        {
            return IllegalReferralTransition(referral.Status, "accepted");
        }

        var now = clock.GetUtcNow();
        referral.Status = ReferralStatus.Accepted;
        referral.RespondedAt = now;
        referral.RespondBy = null;
        await RecordResponseTimeAsync(referral, now, cancellationToken);
        view.Incident.FirstAcceptedAt ??= now;
        var provider = view.Provider!;
        journal.SystemMessage(view.Incident.Id, $"{CaseWording.ProviderName(provider)} accepted the referral for {CaseWording.Service(referral.Service)}.");
        journal.Audit("kintaraa.referral.accepted", "referral", referral.Id, new { view.Incident.CaseNumber });
        journal.Publish("referral.updated", ReferralEvent(view.Incident, referral), new Recipients([.. Users(view.Incident.SurvivorId)], Case: view.Incident.Id));
        journal.Notify(view.Incident.SurvivorId, KintaraaNotifications.CaseUpdate,
            $"{view.Incident.CaseNumber}: {provider.Organisation} will help with {CaseWording.Service(referral.Service)}", view.Incident.Id);
        await ReconcileAsync(view.Incident, CaseActor.System, cancellationToken);
        return null;
    }

    public async Task<Error?> DeclineAsync(CaseView view, Referral referral, string code, string reason, CancellationToken cancellationToken)
    {
        if (referral.Status != ReferralStatus.Pending)
        {
            return IllegalReferralTransition(referral.Status, "declined");
        }

        var now = clock.GetUtcNow();
        await RecordResponseTimeAsync(referral, now, cancellationToken);
        await DeclineAndRerouteAsync(view.Incident, referral, code, reason, now, cancellationToken);
        return null;
    }

    /// <summary>Marks one provider's part of the case delivered.</summary>
    public async Task<Error?> CompleteAsync(CaseView view, Referral referral, string? note, CancellationToken cancellationToken)
    {
        if (referral.Status != ReferralStatus.Accepted)
        {
            return IllegalReferralTransition(referral.Status, "completed");
        }

        End(referral, ReferralStatus.Done, clock.GetUtcNow());
        await ReleaseAsync(referral.ProviderId, cancellationToken);
        journal.SystemMessage(view.Incident.Id, $"{CaseWording.ProviderName(view.Provider!)} finished their part of the case ({CaseWording.Service(referral.Service)}).{Suffix(note)}");
        journal.Audit("kintaraa.referral.done", "referral", referral.Id, new { view.Incident.CaseNumber });
        journal.Publish("referral.updated", ReferralEvent(view.Incident, referral), new Recipients([.. Users(view.Incident.SurvivorId)], Case: view.Incident.Id));
        await ReconcileAsync(view.Incident, CaseActor.System, cancellationToken);
        return null;
    }

    /// <summary>A provider hands their part of the case to another provider of the same type (named, or the best by routing).</summary>
    public async Task<Outcome<Referral>> TransferAsync(
        CaseView view, Referral referral, Guid? toProviderId, RecordedConsent consent, string? note, Guid by, CancellationToken cancellationToken)
    {
        if (referral.Status != ReferralStatus.Accepted)
        {
            return IllegalReferralTransition(referral.Status, "transferred");
        }

        Provider? target = null;
        if (toProviderId is { } id)
        {
            target = await db.Providers.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
            if (target is null || target.ProviderType != referral.ProviderType || !target.IsVerified || target.Id == referral.ProviderId)
            {
                return Errors.Validation("to_provider_id", "Choose another verified provider of the same type.");
            }
        }

        var now = clock.GetUtcNow();
        RecordConsent(view.Incident.Id, referral.Service, true, consent.Method, by, ParticipantRole.Provider, consent.Note ?? "Consent to transfer");
        End(referral, ReferralStatus.Done, now, reason: null);
        referral.Note = string.IsNullOrWhiteSpace(note) ? "Transferred" : $"Transferred: {note}";
        await ReleaseAsync(referral.ProviderId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        journal.SystemMessage(view.Incident.Id, $"{CaseWording.ProviderName(view.Provider!)} is handing over {CaseWording.Service(referral.Service)} with the survivor's consent.{Suffix(note)}");
        journal.Audit("kintaraa.referral.transferred", "referral", referral.Id, new { view.Incident.CaseNumber, to = toProviderId });

        Outcome<Referral> next;
        if (target is not null)
        {
            if (!await TryReserveAsync(target.Id, cancellationToken))
            {
                return Errors.Conflict("provider_at_capacity", "The provider has no free place.");
            }

            var transfer = new Referral
            {
                Id = Guid.CreateVersion7(now),
                IncidentId = view.Incident.Id,
                Service = referral.Service,
                ProviderType = referral.ProviderType,
                Kind = ReferralKind.Transfer,
                Status = ReferralStatus.Pending,
                Attempt = referral.Attempt + 1,
                ReferredBy = by,
                FromProviderId = referral.ProviderId,
                PreviousReferralId = referral.Id,
                Note = note,
                CreatedAt = now,
                Routing = new RoutingTrace(1, new Dictionary<string, int>(), ["chosen by the transferring provider"], []),
            };
            db.Referrals.Add(transfer);
            Offer(view.Incident, transfer, target, null, null, now);
            next = transfer;
        }
        else
        {
            next = await RouteAsync(view.Incident, referral.Service, ReferralKind.Transfer, cancellationToken,
                previous: referral, referredBy: by, fromProviderId: referral.ProviderId, note: note);
        }

        await ReconcileAsync(view.Incident, CaseActor.System, cancellationToken);
        return next;
    }

    /// <summary>A provider on the case refers the survivor to another service (with the survivor's consent).</summary>
    public async Task<Outcome<Referral>> ReferOnwardAsync(
        CaseView view, SupportService service, Guid? toProviderId, RecordedConsent? consent, string? note, Guid by, CancellationToken cancellationToken)
    {
        if (await ActiveReferralAsync(view.Incident.Id, service, cancellationToken) is not null)
        {
            return Errors.Conflict("already_referred", $"The case already has a live referral for {CaseWording.Service(service)}.");
        }

        var consents = await CurrentConsentsAsync(view.Incident.Id, cancellationToken);
        var hasConsent = consents.TryGetValue(service, out var current) && current.Granted;
        if (!hasConsent && consent is null)
        {
            return ConsentRequired(service);
        }

        if (consent is not null)
        {
            RecordConsent(view.Incident.Id, service, true, consent.Method, by, ParticipantRole.Provider, consent.Note);
        }

        if (!view.Incident.SupportServices.Contains(service))
        {
            view.Incident.SupportServices = [.. view.Incident.SupportServices, service];
        }

        Outcome<Referral> result;
        if (toProviderId is { } id)
        {
            var provider = await db.Providers.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
            if (provider is null || provider.ProviderType != SupportServices.ProviderTypeFor(service) || !provider.IsVerified)
            {
                return Errors.Validation("to_provider_id", $"Choose a verified {SnakeEnum<ProviderType>.Name(SupportServices.ProviderTypeFor(service))} provider.");
            }

            if (!await TryReserveAsync(id, cancellationToken))
            {
                return Errors.Conflict("provider_at_capacity", "The provider has no free place.");
            }

            var now = clock.GetUtcNow();
            var onward = new Referral
            {
                Id = Guid.CreateVersion7(now),
                IncidentId = view.Incident.Id,
                Service = service,
                ProviderType = provider.ProviderType,
                Kind = ReferralKind.Onward,
                Status = ReferralStatus.Pending,
                Attempt = 1,
                ReferredBy = by,
                FromProviderId = view.Provider?.Id,
                Note = note,
                CreatedAt = now,
                Routing = new RoutingTrace(1, new Dictionary<string, int>(), ["chosen by the referring provider"], []),
            };
            db.Referrals.Add(onward);
            Offer(view.Incident, onward, provider, null, null, now);
            result = onward;
        }
        else
        {
            result = await RouteAsync(view.Incident, service, ReferralKind.Onward, cancellationToken, referredBy: by, fromProviderId: view.Provider?.Id, note: note);
        }

        journal.Audit("kintaraa.referral.onward", "incident", view.Incident.Id, new { view.Incident.CaseNumber, service = SnakeEnum<SupportService>.Name(service) });
        await ReconcileAsync(view.Incident, CaseActor.System, cancellationToken);
        return result;
    }

    /// <summary>
    /// Ends a live referral. The survivor revoking withdraws their consent for the service (nothing is re-routed); an
    /// admin revoking re-routes the service to another provider.
    /// </summary>
    public async Task<Error?> RevokeAsync(CaseView view, Referral referral, string reason, Guid by, CancellationToken cancellationToken)
    {
        if (!referral.IsActive)
        {
            return IllegalReferralTransition(referral.Status, "revoked");
        }

        var now = clock.GetUtcNow();
        End(referral, ReferralStatus.Revoked, now, reason: reason);
        await ReleaseAsync(referral.ProviderId, cancellationToken);
        journal.Audit("kintaraa.referral.revoked", "referral", referral.Id, new { view.Incident.CaseNumber, by = SnakeEnum<ParticipantRole>.Name(view.Role) });
        journal.Publish("referral.updated", ReferralEvent(view.Incident, referral),
            new Recipients([.. Users(referral.ProviderId is null ? null : await ProviderUserAsync(referral.ProviderId.Value, cancellationToken))], Case: view.Incident.Id));
        if (view.Relation == CaseRelation.Survivor)
        {
            RecordConsent(view.Incident.Id, referral.Service, false, ConsentMethod.App, by, ParticipantRole.Survivor, reason);
            journal.SystemMessage(view.Incident.Id, $"The survivor withdrew consent for {CaseWording.Service(referral.Service)}; that referral has ended.");
        }
        else
        {
            journal.SystemMessage(view.Incident.Id, $"A coordinator ended the referral for {CaseWording.Service(referral.Service)}.{Suffix(reason)}");
            await db.SaveChangesAsync(cancellationToken);
            await RouteAsync(view.Incident, referral.Service, ReferralKind.Routed, cancellationToken, previous: referral, alsoExclude: referral.ProviderId);
        }

        await ReconcileAsync(view.Incident, CaseActor.System, cancellationToken);
        return null;
    }

    /// <summary>Withdraws consent for a service: its live referral (if any) ends and nothing is re-routed.</summary>
    public async Task WithdrawConsentAsync(Incident incident, SupportService service, string? note, Guid by, CancellationToken cancellationToken)
    {
        RecordConsent(incident.Id, service, false, ConsentMethod.App, by, ParticipantRole.Survivor, note);
        if (await ActiveReferralAsync(incident.Id, service, cancellationToken) is { } live)
        {
            End(live, ReferralStatus.Revoked, clock.GetUtcNow(), reason: "The survivor withdrew consent.");
            await ReleaseAsync(live.ProviderId, cancellationToken);
            journal.Publish("referral.updated", ReferralEvent(incident, live),
                new Recipients([.. Users(live.ProviderId is null ? null : await ProviderUserAsync(live.ProviderId.Value, cancellationToken))], Case: incident.Id));
        }

        journal.SystemMessage(incident.Id, $"The survivor withdrew consent for {CaseWording.Service(service)}.");
        await ReconcileAsync(incident, CaseActor.System, cancellationToken);
    }

    /// <summary>Ends every live referral of a case that is being completed or closed.</summary>
    public async Task EndAllAsync(Incident incident, bool completed, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var live = await db.Referrals.Where(r => r.IncidentId == incident.Id && (r.Status == ReferralStatus.Pending || r.Status == ReferralStatus.Accepted))
            .ToListAsync(cancellationToken);
        foreach (var referral in live)
        {
            var status = completed && referral.Status == ReferralStatus.Accepted ? ReferralStatus.Done : ReferralStatus.Revoked;
            End(referral, status, now, reason: status == ReferralStatus.Revoked ? reason : null);
            await ReleaseAsync(referral.ProviderId, cancellationToken);
            journal.Audit(status == ReferralStatus.Done ? "kintaraa.referral.done" : "kintaraa.referral.revoked", "referral", referral.Id, new { incident.CaseNumber, reason });
        }
    }

    /// <summary>The survivor rates the help of a provider whose part is done (1–5); the provider's average follows.</summary>
    public async Task<Error?> RateAsync(Referral referral, short rating, CancellationToken cancellationToken)
    {
        if (referral.Status != ReferralStatus.Done || referral.ProviderId is null)
        {
            return Errors.Conflict("not_rateable", "Only finished referrals can be rated.");
        }

        var previous = referral.Rating;
        referral.Rating = rating;
        referral.Version++;
        // One statement keeps the average right however many survivors rate the provider at once.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE kintaraa.providers
            SET rating = round(((coalesce(rating, 0) * rating_count) - {(decimal?)previous ?? 0m} + {(decimal)rating}) / (rating_count + {(previous is null ? 1 : 0)}), 2),
                rating_count = rating_count + {(previous is null ? 1 : 0)}
            WHERE id = {referral.ProviderId}
            """, cancellationToken);
        journal.Audit("kintaraa.referral.rated", "referral", referral.Id, new { rating });
        return null;
    }

    /// <summary>
    /// Re-routes offers nobody answered in time: each becomes declined ("no answer") and the service goes to the next
    /// candidate. Called by the periodic job; returns how many offers lapsed.
    /// </summary>
    public async Task<bool> ExpireAsync(Referral referral, Incident incident, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (referral.Status != ReferralStatus.Pending || referral.ProviderId is null || referral.RespondBy is not { } due || due > now)
        {
            return false;
        }

        var minutes = (int)Math.Round((due - (referral.OfferedAt ?? referral.CreatedAt)).TotalMinutes);
        await DeclineAndRerouteAsync(incident, referral, "no_response",
            string.Create(CultureInfo.InvariantCulture, $"No answer within {minutes} minutes."), now, cancellationToken);
        return true;
    }

    /// <summary>Tries a queued referral again; when still no provider fits, the admins are reminded.</summary>
    public async Task<bool> RetryQueuedAsync(Referral referral, Incident incident, CancellationToken cancellationToken)
    {
        if (referral.Status != ReferralStatus.Pending || referral.ProviderId is not null)
        {
            return false;
        }

        await RouteAsync(incident, referral.Service, referral.Kind, cancellationToken, queued: referral);
        await ReconcileAsync(incident, CaseActor.System, cancellationToken);
        return referral.ProviderId is not null;
    }

    /// <summary>
    /// Gives the case the status its referrals imply (<see cref="CaseLifecycle.Derive"/>), with a system message,
    /// an audit entry and a status event when it changes.
    /// </summary>
    public async Task ReconcileAsync(Incident incident, CaseActor actor, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        var live = await db.Referrals.Where(r => r.IncidentId == incident.Id)
            .Select(r => new { r.Status, Queued = r.ProviderId == null })
            .ToListAsync(cancellationToken);
        var summary = new ReferralSummary(
            live.Count(r => r.Status == ReferralStatus.Pending && !r.Queued),
            live.Count(r => r.Status == ReferralStatus.Accepted),
            live.Count(r => r.Status == ReferralStatus.Done));
        var next = CaseLifecycle.Derive(incident.Status, summary);
        if (next != incident.Status)
        {
            await ChangeStatusAsync(incident, next, actor, reason: null, cancellationToken);
        }
    }

    /// <summary>Moves a case to a new status (already checked against the lifecycle), leaving its message, audit entry and event.</summary>
    public async Task ChangeStatusAsync(Incident incident, CaseStatus next, CaseActor actor, string? reason, CancellationToken cancellationToken)
    {
        var previous = incident.Status;
        var now = clock.GetUtcNow();
        incident.Status = next;
        incident.UpdatedAt = now;
        incident.Version++;
        if (next == CaseStatus.Completed)
        {
            incident.CompletedAt = now;
        }

        if (next == CaseStatus.Closed)
        {
            incident.ClosedAt = now;
        }

        journal.SystemMessage(incident.Id, $"Case status changed from {CaseWording.Status(previous)} to {CaseWording.Status(next)}.{Suffix(reason)}");
        journal.Audit("kintaraa.case.status_changed", "incident", incident.Id,
            new { incident.CaseNumber, from = SnakeEnum<CaseStatus>.Name(previous), to = SnakeEnum<CaseStatus>.Name(next), actor = actor.ToString().ToLowerInvariant(), reason });
        journal.Publish(RealtimeEvents.StatusChanged, new
        {
            incident_id = incident.Id,
            incident.CaseNumber,
            status = SnakeEnum<CaseStatus>.Name(next),
            previous_status = SnakeEnum<CaseStatus>.Name(previous),
        }, new Recipients([.. await ParticipantUsersAsync(incident, cancellationToken)], Case: incident.Id, Admins: true));
        if (actor != CaseActor.Survivor)
        {
            journal.Notify(incident.SurvivorId, KintaraaNotifications.CaseUpdate, $"{incident.CaseNumber} is now {CaseWording.Status(next)}", incident.Id);
        }
    }

    /// <summary>The survivor and the users of the providers working or offered the case.</summary>
    public async Task<IReadOnlyList<Guid>> ParticipantUsersAsync(Incident incident, CancellationToken cancellationToken)
    {
        var providers = await db.Referrals
            .Where(r => r.IncidentId == incident.Id && (r.Status == ReferralStatus.Pending || r.Status == ReferralStatus.Accepted) && r.ProviderId != null)
            .Join(db.Providers, r => r.ProviderId, p => p.Id, (r, p) => p.UserId)
            .Distinct().ToListAsync(cancellationToken);
        return incident.SurvivorId is { } survivor ? [survivor, .. providers] : providers;
    }

    private async Task DeclineAndRerouteAsync(Incident incident, Referral referral, string code, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        End(referral, ReferralStatus.Declined, now, reason: null);
        referral.DeclineCode = code;
        referral.DeclineReason = reason;
        await ReleaseAsync(referral.ProviderId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        journal.Audit("kintaraa.referral.declined", "referral", referral.Id, new { incident.CaseNumber, code, reason });
        journal.SystemMessage(incident.Id, code == "no_response"
            ? $"The provider offered {CaseWording.Service(referral.Service)} did not answer in time; finding another."
            : $"The provider offered {CaseWording.Service(referral.Service)} could not take the case; finding another.");
        await RouteAsync(incident, referral.Service, referral.Kind == ReferralKind.Sos ? ReferralKind.Sos : ReferralKind.Routed, cancellationToken, previous: referral);
        await ReconcileAsync(incident, CaseActor.System, cancellationToken);
    }

    private void Offer(Incident incident, Referral referral, Provider provider, decimal? score, double? distanceKm, DateTimeOffset now)
    {
        referral.ProviderId = provider.Id;
        referral.ProviderType = provider.ProviderType;
        referral.Score = score;
        referral.DistanceKm = distanceKm;
        referral.OfferedAt = now;
        referral.QueuedAt = null;
        referral.RespondBy = now + (incident.Priority == Priority.Critical ? Options.CriticalResponseTimeout : Options.ResponseTimeout);
        journal.SystemMessage(incident.Id, $"Referred for {CaseWording.Service(referral.Service)} to {CaseWording.ProviderName(provider)}, awaiting their answer.");
        journal.Audit("kintaraa.referral.offered", "referral", referral.Id,
            new { incident.CaseNumber, service = SnakeEnum<SupportService>.Name(referral.Service), provider_id = provider.Id, score, kind = SnakeEnum<ReferralKind>.Name(referral.Kind) });
        journal.Publish(referral.Kind == ReferralKind.Sos ? "sos.alert" : RealtimeEvents.AssignmentNew, new
        {
            incident_id = incident.Id,
            incident.CaseNumber,
            referral_id = referral.Id,
            service = SnakeEnum<SupportService>.Name(referral.Service),
            priority = SnakeEnum<Priority>.Name(incident.Priority),
            respond_by = referral.RespondBy,
            urgency = incident.Priority is Priority.Critical or Priority.High ? "high" : "normal",
        }, Recipients.To(provider.UserId));
        journal.Notify(provider.UserId, KintaraaNotifications.Assignment,
            referral.Kind == ReferralKind.Sos
                ? $"SOS {incident.CaseNumber}: emergency, answer now"
                : $"New referral {incident.CaseNumber} ({CaseWording.Service(referral.Service)}, {SnakeEnum<Priority>.Name(incident.Priority)} priority)",
            incident.Id, incident.Priority == Priority.Critical ? PushPrompt.Urgent : PushPrompt.Standard);
    }

    private static void End(Referral referral, ReferralStatus status, DateTimeOffset now, string? reason = null)
    {
        referral.Status = status;
        referral.RespondBy = null;
        referral.Version++;
        switch (status)
        {
            case ReferralStatus.Done:
                referral.CompletedAt = now;
                break;
            case ReferralStatus.Revoked:
                referral.RevokedAt = now;
                referral.RevokeReason = reason;
                break;
            case ReferralStatus.Declined:
                referral.RespondedAt ??= now;
                break;
        }
    }

    private Task<Referral?> ActiveReferralAsync(Guid incidentId, SupportService service, CancellationToken cancellationToken) =>
        db.Referrals.FirstOrDefaultAsync(r => r.IncidentId == incidentId && r.Service == service
                                              && (r.Status == ReferralStatus.Pending || r.Status == ReferralStatus.Accepted), cancellationToken);

    /// <summary>Takes one place of the provider's capacity if one is free; false when they are full, away or unverified.</summary>
    private async Task<bool> TryReserveAsync(Guid providerId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"UPDATE kintaraa.providers SET caseload = caseload + 1 WHERE id = {providerId} AND caseload < capacity AND is_verified AND is_available",
            cancellationToken) == 1;

    private async Task ReleaseAsync(Guid? providerId, CancellationToken cancellationToken)
    {
        if (providerId is { } id)
        {
            await db.Database.ExecuteSqlAsync($"UPDATE kintaraa.providers SET caseload = caseload - 1 WHERE id = {id} AND caseload > 0", cancellationToken);
        }
    }

    private async Task RecordResponseTimeAsync(Referral referral, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var minutes = (int)Math.Max(0, Math.Round((now - (referral.OfferedAt ?? referral.CreatedAt)).TotalMinutes));
        await db.Database.ExecuteSqlAsync($"""
            UPDATE kintaraa.providers
            SET response_time_minutes = round(((coalesce(response_time_minutes, 0) * response_count) + {minutes})::numeric / (response_count + 1)),
                response_count = response_count + 1
            WHERE id = {referral.ProviderId}
            """, cancellationToken);
    }

    private async Task<Guid?> ProviderUserAsync(Guid providerId, CancellationToken cancellationToken) =>
        await db.Providers.Where(p => p.Id == providerId).Select(p => (Guid?)p.UserId).FirstOrDefaultAsync(cancellationToken);

    private static object ReferralEvent(Incident incident, Referral referral) => new
    {
        incident_id = incident.Id,
        incident.CaseNumber,
        referral_id = referral.Id,
        service = SnakeEnum<SupportService>.Name(referral.Service),
        status = SnakeEnum<ReferralStatus>.Name(referral.Status),
    };

    private static IEnumerable<Guid> Users(params Guid?[] users) => users.Where(u => u is not null).Select(u => u!.Value);

    private static string Suffix(string? note) => string.IsNullOrWhiteSpace(note) ? "" : $" Note: {note.Trim()}";
}
