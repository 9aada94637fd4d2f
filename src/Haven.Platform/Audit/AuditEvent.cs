using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Haven.Platform.Audit;

/// <summary>
/// What a module reports to the audit trail: what happened (<see cref="Action"/>) to which resource, in which tenant,
/// why (<see cref="Note"/>) and how (<see cref="Changes"/>). Who, when and where are filled in by the trail from the
/// current request (or <see cref="Actor"/> for background work).
/// </summary>
public sealed partial record AuditEvent
{
    public const int MaxNoteLength = 2000;

    /// <param name="action">Lower-case, dotted, module first: <c>kintaraa.evidence.downloaded</c>, <c>pss.profile.updated</c>.</param>
    /// <param name="resourceType">What kind of record: <c>evidence</c>, <c>medical_profile</c>.</param>
    /// <param name="resourceId">The record's id, when there is one.</param>
    public AuditEvent(string action, string resourceType, string? resourceId)
    {
        if (action.Length > 100 || !ActionPattern().IsMatch(action))
        {
            throw new ArgumentException($"Audit action '{action}' must be lower-case and dotted, module first (e.g. 'pss.profile.updated').", nameof(action));
        }

        if (resourceType.Length is 0 or > 100)
        {
            throw new ArgumentException("An audit resource type is 1 to 100 characters.", nameof(resourceType));
        }

        Action = action;
        ResourceType = resourceType;
        ResourceId = resourceId;
    }

    public AuditEvent(string action, string resourceType, Guid resourceId)
        : this(action, resourceType, resourceId.ToString("D"))
    {
    }

    public string Action { get; }

    /// <summary>The module the action belongs to: the part of <see cref="Action"/> before the first dot.</summary>
    public string Module => Action[..Action.IndexOf('.')];

    public string ResourceType { get; }

    public string? ResourceId { get; }

    /// <summary>The tenant that owns the resource; defaults to the caller's tenant in <see cref="Module"/>, if any.</summary>
    public Guid? TenantId { get; init; }

    /// <summary>Why: a reason the user gave, a rule that fired. Not for sensitive values.</summary>
    public string? Note { get; init; }

    /// <summary>How: old and new values, sensitive ones redacted.</summary>
    public AuditChanges Changes { get; init; } = new();

    /// <summary>Who, when it is not the signed-in caller: a background job names itself with <see cref="AuditActor.System"/>.</summary>
    public AuditActor? Actor { get; init; }

    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$")]
    private static partial Regex ActionPattern();
}

/// <summary>Who did it: a signed-in user, the system (a named job), or an anonymous caller (e.g. an anonymous report).</summary>
public sealed record AuditActor(string Type, Guid? UserId, Guid? SessionId, string? Name, IReadOnlyList<string> Roles)
{
    public const string UserType = "user";
    public const string SystemType = "system";
    public const string AnonymousType = "anonymous";

    /// <summary>A background job or command, e.g. <c>AuditActor.System("lers.sla_monitor")</c>.</summary>
    public static AuditActor System(string name) => new(SystemType, null, null, name, []);

    public static AuditActor Anonymous { get; } = new(AnonymousType, null, null, null, []);
}

/// <summary>One field's change. A redacted change records only that a sensitive field changed, never its values.</summary>
public sealed record AuditChange(string Field, string? Old, string? New, bool IsRedacted);

/// <summary>
/// The "how" of an audit entry: field by field, old and new values as text. Mark a sensitive field with
/// <see cref="Redacted"/> (or <c>sensitive: true</c>) and only the fact that it changed is kept; <see cref="Of"/> reads
/// EF's change tracker and redacts encrypted properties and those configured with <c>IsAuditSensitive()</c> on its own.
/// </summary>
public sealed partial class AuditChanges
{
    public const int MaxValueLength = 1000;
    private readonly List<AuditChange> _items = [];

    public IReadOnlyList<AuditChange> Items => _items;

    public AuditChanges Set(string field, object? oldValue, object? newValue, bool sensitive = false)
    {
        ValidateField(field);
        _items.Add(sensitive
            ? new AuditChange(field, null, null, true)
            : new AuditChange(field, Format(oldValue), Format(newValue), false));
        return this;
    }

    /// <summary>Records that a sensitive field changed, without its values.</summary>
    public AuditChanges Redacted(string field) => Set(field, null, null, sensitive: true);

    /// <summary>
    /// The changes EF is about to save for one entity (call before SaveChanges): every property of an added entity,
    /// the modified ones of a modified entity, the old values of a deleted one. Encrypted and audit-sensitive
    /// properties are redacted. Field names are the columns' (snake_case).
    /// </summary>
    public static AuditChanges Of(EntityEntry entry)
    {
        var changes = new AuditChanges();
        foreach (var property in entry.Properties)
        {
            var metadata = property.Metadata;
            if (metadata.IsShadowProperty() && metadata.FindAnnotation(Crypto.FieldEncryption.BlindIndexOfAnnotation) is not null)
            {
                continue;
            }

            var include = entry.State switch
            {
                Microsoft.EntityFrameworkCore.EntityState.Added => true,
                Microsoft.EntityFrameworkCore.EntityState.Deleted => true,
                Microsoft.EntityFrameworkCore.EntityState.Modified => property.IsModified,
                _ => false,
            };
            if (!include)
            {
                continue;
            }

            var field = Data.SnakeCaseNamingConvention.ToSnakeCase(metadata.Name);
            var sensitive = AuditSensitivity.IsSensitive(metadata);
            var old = entry.State == Microsoft.EntityFrameworkCore.EntityState.Added ? null : property.OriginalValue;
            var current = entry.State == Microsoft.EntityFrameworkCore.EntityState.Deleted ? null : property.CurrentValue;
            changes.Set(field, old, current, sensitive);
        }

        return changes;
    }

    /// <summary>Values as invariant text, so the entry reads the same whatever the server's culture.</summary>
    public static string? Format(object? value)
    {
        var text = value switch
        {
            null => null,
            string s => s,
            bool b => b ? "true" : "false",
            DateTimeOffset d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Guid g => g.ToString("D"),
            byte[] bytes => Convert.ToBase64String(bytes),
            Enum e => e.ToString(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        return text is null ? null : AuditText.Clean(text, MaxValueLength);
    }

    private static void ValidateField(string field)
    {
        if (field.Length is 0 or > 100 || !FieldPattern().IsMatch(field))
        {
            throw new ArgumentException($"Audit field '{field}' must be 1 to 100 ASCII letters, digits, '_', '.' or '-'.", nameof(field));
        }
    }

    // ASCII field names sort the same in every language's JSON canonicalizer (see docs/audit-export.md).
    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex FieldPattern();
}

/// <summary>Text as the trail stores it: no NUL (PostgreSQL text refuses it), no lone surrogates, bounded length.</summary>
internal static class AuditText
{
    public static string Clean(string value, int maxLength)
    {
        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        for (var i = 0; i < value.Length && builder.Length < maxLength; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                builder.Append('\uFFFD');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (builder.Length + 2 > maxLength)
                {
                    break;
                }

                builder.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string? CleanOrNull(string? value, int maxLength) => value is null ? null : Clean(value, maxLength);
}
