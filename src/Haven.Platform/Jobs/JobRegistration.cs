using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Jobs;

/// <summary>Settings under <c>Haven:Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string Section = "Haven:Jobs";

    /// <summary>Jobs one instance runs at the same time.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 4;

    /// <summary>How often the worker looks for due jobs when not woken (scheduled and retried jobs become due silently).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a claimed job stays reserved without a renewal. The worker renews it every third of this while the
    /// handler runs; a job whose instance died becomes claimable again once the lease ran out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>A registered job kind and its retry policy.</summary>
public sealed record JobDefinition(string Kind, Type HandlerType)
{
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the second attempt; doubles each time (with ±20% jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>For periodic jobs: how often one occurrence is enqueued across the whole cluster.</summary>
    public TimeSpan? Interval { get; init; }

    internal TimeSpan Backoff(int attempt)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }
}

public static partial class JobServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="THandler"/> for jobs of <paramref name="kind"/> (e.g. <c>lers.sla_check</c>).</summary>
    public static IServiceCollection AddHavenJob<THandler>(
        this IServiceCollection services, string kind, Func<JobDefinition, JobDefinition>? configure = null)
        where THandler : class, IJobHandler
    {
        var definition = new JobDefinition(kind, typeof(THandler));
        return services.AddJobDefinition<THandler>(configure?.Invoke(definition) ?? definition);
    }

    /// <summary>
    /// Registers a job that runs every <paramref name="interval"/>, once per cluster (not once per instance). Each
    /// occurrence is an ordinary job: retried on failure, dead after its attempts, never two running at once.
    /// </summary>
    public static IServiceCollection AddHavenPeriodicJob<THandler>(
        this IServiceCollection services, string kind, TimeSpan interval, Func<JobDefinition, JobDefinition>? configure = null)
        where THandler : class, IJobHandler
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        var definition = new JobDefinition(kind, typeof(THandler)) { MaxAttempts = 3, Interval = interval };
        return services.AddJobDefinition<THandler>(configure?.Invoke(definition) ?? definition);
    }

    private static IServiceCollection AddJobDefinition<THandler>(this IServiceCollection services, JobDefinition definition)
        where THandler : class, IJobHandler
    {
        if (!KindPattern().IsMatch(definition.Kind))
        {
            throw new ArgumentException($"Job kind '{definition.Kind}' must be dotted lower-case words, e.g. 'notifications.push'.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(definition.MaxAttempts, 1);
        services.AddSingleton(definition);
        services.AddKeyedScoped<IJobHandler, THandler>(definition.Kind);
        return services;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$")]
    private static partial Regex KindPattern();
}

/// <summary>Every registered job kind; duplicate kinds are a start-up error.</summary>
internal sealed class JobRegistry
{
    public JobRegistry(IEnumerable<JobDefinition> definitions)
    {
        var byKind = new Dictionary<string, JobDefinition>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            if (!byKind.TryAdd(definition.Kind, definition))
            {
                throw new InvalidOperationException($"Job kind '{definition.Kind}' is registered twice.");
            }
        }

        Definitions = byKind;
        Kinds = [.. byKind.Keys];
        Periodic = [.. byKind.Values.Where(d => d.Interval is not null)];
    }

    public IReadOnlyDictionary<string, JobDefinition> Definitions { get; }

    public string[] Kinds { get; }

    public IReadOnlyList<JobDefinition> Periodic { get; }

    public JobDefinition Get(string kind) =>
        Definitions.TryGetValue(kind, out var definition)
            ? definition
            : throw new InvalidOperationException($"No job handler is registered for '{kind}' (AddHavenJob).");
}
