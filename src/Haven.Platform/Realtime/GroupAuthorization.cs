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
    public static IServiceCollection AddRealtimeGroup<TAuthorizer>(this IServiceCollection services, string kind)
        where TAuthorizer : class, IGroupAuthorizer
    {
        if (!EventAudience.TryParse(kind + ":x", out _, out _) || kind == EventAudience.UserKind)
        {
            throw new ArgumentException($"'{kind}' cannot be a group kind (lower-case letters, digits and '-'; 'user' is the personal stream).", nameof(kind));
        }

        services.AddSingleton(new RealtimeGroupKind(kind, typeof(TAuthorizer)));
        services.AddKeyedScoped<IGroupAuthorizer, TAuthorizer>(kind);
        return services;
    }
}

/// <summary>A registered group kind; two registrations of one kind are a start-up error.</summary>
public sealed record RealtimeGroupKind(string Kind, Type AuthorizerType);

internal sealed class GroupKinds
{
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
    }

    public IReadOnlySet<string> Known { get; }
}
