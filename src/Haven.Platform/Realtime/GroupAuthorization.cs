using Haven.Platform.Events;
using Haven.Platform.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Realtime;

/// <summary>
/// Decides who may join a module's groups of one kind (<c>case</c>, <c>provider-dashboard</c>…), by the same rules
/// as the module's REST API: whoever may read the case may join <c>case:&lt;id&gt;</c>. Registered with
/// <see cref="RealtimeServiceCollectionExtensions.AddRealtimeGroup{TAuthorizer}"/>; resolved per call in a DI scope,
/// so it may use the module's DbContext.
/// </summary>
public interface IGroupAuthorizer
{
    /// <summary>
    /// True when <paramref name="user"/> may receive the group's events, presence and typing. Answer false alike for a
    /// group that does not exist and one the user may not see (the client learns nothing from the difference).
    /// </summary>
    ValueTask<bool> CanJoinAsync(ICurrentUser user, string id, CancellationToken cancellationToken);
}

public static class RealtimeServiceCollectionExtensions
{
    /// <summary>Makes groups <c>&lt;kind&gt;:&lt;id&gt;</c> joinable, by whoever <typeparamref name="TAuthorizer"/> allows.</summary>
    /// <param name="announcePresence">
    /// Tell members when someone joins or leaves (<c>presence.changed</c>). Turn it off for broadcast groups with
    /// hundreds of members, where every join would be announced to all of them; <c>presence</c> queries still work.
    /// </param>
    public static IServiceCollection AddRealtimeGroup<TAuthorizer>(this IServiceCollection services, string kind, bool announcePresence = true)
        where TAuthorizer : class, IGroupAuthorizer
    {
        if (!EventAudience.TryParse(kind + ":x", out _, out _) || kind == EventAudience.UserKind)
        {
            throw new ArgumentException($"'{kind}' cannot be a group kind (lower-case letters, digits and '-'; 'user' is the personal stream).", nameof(kind));
        }

        services.AddSingleton(new RealtimeGroupKind(kind, typeof(TAuthorizer), announcePresence));
        services.AddKeyedScoped<IGroupAuthorizer, TAuthorizer>(kind);
        return services;
    }
}

/// <summary>A registered group kind; two registrations of one kind are a start-up error.</summary>
public sealed record RealtimeGroupKind(string Kind, Type AuthorizerType, bool AnnouncePresence);

internal sealed class GroupKinds
{
    private readonly HashSet<string> _announcing;

    public GroupKinds(IEnumerable<RealtimeGroupKind> kinds)
    {
        var seen = new Dictionary<string, RealtimeGroupKind>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            if (!seen.TryAdd(kind.Kind, kind))
            {
                throw new InvalidOperationException(
                    $"Realtime group kind '{kind.Kind}' is registered by both {seen[kind.Kind].AuthorizerType.Name} and {kind.AuthorizerType.Name}.");
            }
        }

        Known = seen.Keys.ToHashSet(StringComparer.Ordinal);
        _announcing = seen.Values.Where(k => k.AnnouncePresence).Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlySet<string> Known { get; }

    public bool AnnouncesPresence(string group) => EventAudience.TryParse(group, out var kind, out _) && _announcing.Contains(kind);
}
