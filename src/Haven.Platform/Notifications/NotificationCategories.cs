using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Notifications;

/// <summary>
/// A kind of notification a module sends (<c>kintaraa.assignment</c>, <c>lers.sla_warning</c>), with the title users
/// see in their preferences and whether push is on until they choose.
/// </summary>
public sealed partial record NotificationCategory(string Name, string Title, bool PushByDefault = true)
{
    internal static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$")]
    private static partial Regex NamePattern();
}

public static class NotificationServiceCollectionExtensions
{
    /// <summary>Declares a notification category; <see cref="INotifier.NotifyAsync(Microsoft.EntityFrameworkCore.DbContext, NotificationRequest, CancellationToken)"/> accepts only declared ones.</summary>
    public static IServiceCollection AddNotificationCategory(this IServiceCollection services, NotificationCategory category)
    {
        if (!NotificationCategory.IsValidName(category.Name) || category.Name.Length > 64)
        {
            throw new ArgumentException($"Notification category '{category.Name}' must be 'module.name' in lower case.");
        }

        services.AddSingleton(category);
        return services;
    }
}

internal sealed class NotificationCategories
{
    public NotificationCategories(IEnumerable<NotificationCategory> categories)
    {
        var byName = new Dictionary<string, NotificationCategory>(StringComparer.Ordinal);
        foreach (var category in categories)
        {
            if (!byName.TryAdd(category.Name, category))
            {
                throw new InvalidOperationException($"Notification category '{category.Name}' is declared twice.");
            }
        }

        All = [.. byName.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
        ByName = byName;
    }

    public IReadOnlyList<NotificationCategory> All { get; }

    public IReadOnlyDictionary<string, NotificationCategory> ByName { get; }
}
