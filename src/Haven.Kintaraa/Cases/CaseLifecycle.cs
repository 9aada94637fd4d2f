using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Cases;

/// <summary>Who moves a case: the survivor, a provider working it, an admin, or the system reacting to referrals.</summary>
public enum CaseActor
{
    Survivor,
    Provider,
    Admin,
    System,
}

/// <summary>The live referrals of a case, as the lifecycle sees them.</summary>
/// <param name="Offered">Pending referrals that name a provider (awaiting an answer).</param>
/// <param name="Accepted">Accepted referrals (someone is working).</param>
/// <param name="Done">Referrals whose provider finished their part.</param>
public readonly record struct ReferralSummary(int Offered, int Accepted, int Done);

/// <summary>
/// The case state machine. The main line is new → assigned → in_progress → completed → closed; the system moves a case
/// between new, assigned and in_progress as offers are made, accepted, declined or handed over; people complete and
/// close cases, and a survivor may withdraw (close) a case at any point. Anything else is an illegal transition.
/// </summary>
public static class CaseLifecycle
{
    private static readonly Dictionary<(CaseStatus From, CaseStatus To), CaseActor[]> Allowed = new()
    {
        [(CaseStatus.New, CaseStatus.Assigned)] = [CaseActor.System],
        // A provider who records a case themselves (portal, field visit) takes it at once.
        [(CaseStatus.New, CaseStatus.InProgress)] = [CaseActor.System],
        [(CaseStatus.Assigned, CaseStatus.New)] = [CaseActor.System],
        [(CaseStatus.Assigned, CaseStatus.InProgress)] = [CaseActor.System],
        [(CaseStatus.InProgress, CaseStatus.Assigned)] = [CaseActor.System],
        [(CaseStatus.InProgress, CaseStatus.New)] = [CaseActor.System],
        [(CaseStatus.InProgress, CaseStatus.Completed)] = [CaseActor.Provider, CaseActor.Admin, CaseActor.System],
        [(CaseStatus.Completed, CaseStatus.Assigned)] = [CaseActor.System],
        [(CaseStatus.Completed, CaseStatus.InProgress)] = [CaseActor.System],
        [(CaseStatus.Completed, CaseStatus.Closed)] = [CaseActor.Survivor, CaseActor.Admin],
        [(CaseStatus.New, CaseStatus.Closed)] = [CaseActor.Survivor, CaseActor.Admin],
        [(CaseStatus.Assigned, CaseStatus.Closed)] = [CaseActor.Survivor, CaseActor.Admin],
        [(CaseStatus.InProgress, CaseStatus.Closed)] = [CaseActor.Survivor, CaseActor.Admin],
    };

    public static bool CanTransition(CaseStatus from, CaseStatus to, CaseActor actor) =>
        Allowed.TryGetValue((from, to), out var actors) && actors.Contains(actor);

    /// <summary>The statuses an actor may move a case to from its current status (shown with a refused transition).</summary>
    public static IReadOnlyList<CaseStatus> TargetsFor(CaseStatus from, CaseActor actor) =>
        [.. Allowed.Where(t => t.Key.From == from && t.Value.Contains(actor)).Select(t => t.Key.To).Order()];

    /// <summary>
    /// The status the system gives a case after its referrals changed: someone working makes it in progress, only
    /// unanswered offers make it assigned, every part delivered completes it, and nothing live sends it back to new.
    /// Closed is final.
    /// </summary>
    public static CaseStatus Derive(CaseStatus current, ReferralSummary referrals)
    {
        if (current == CaseStatus.Closed)
        {
            return current;
        }

        if (referrals.Accepted > 0)
        {
            return CaseStatus.InProgress;
        }

        if (referrals.Offered > 0)
        {
            return CaseStatus.Assigned;
        }

        return current switch
        {
            CaseStatus.Completed => CaseStatus.Completed,
            CaseStatus.InProgress when referrals.Done > 0 => CaseStatus.Completed,
            _ => CaseStatus.New,
        };
    }
}
