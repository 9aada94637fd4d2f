using System.Text.Json;
using System.Text.RegularExpressions;
using Haven.Platform.Hosting;

namespace Haven.Platform.Events;

/// <summary>
/// An event a module publishes through <see cref="IOutbox"/>: a dotted type (<c>assignment.new</c>), who may receive it
/// (<see cref="EventAudience"/> strings) and a JSON payload. Payloads are stored encrypted and replayed to reconnecting
/// clients for the retention period, so keep them to what a client needs to update its screen (ids, status, the
/// message itself), never more.
/// </summary>
public sealed partial record EventEnvelope
{
    /// <summary>Largest serialized payload; events are pushed to phones, not used to ship documents.</summary>
    public const int MaxPayloadBytes = 64 * 1024;

    /// <summary>The serializer options for payloads: the platform's snake_case JSON.</summary>
    public static readonly JsonSerializerOptions Json = CreateJson();

    public EventEnvelope(string type, IReadOnlyCollection<string> audience, JsonElement payload)
    {
        if (!TypePattern().IsMatch(type))
        {
            throw new ArgumentException($"Event type '{type}' must be dotted lower-case words, e.g. 'message.received'.", nameof(type));
        }

        if (audience.Count == 0)
        {
            throw new ArgumentException("An event needs at least one audience (a user or a group).", nameof(audience));
        }

        foreach (var member in audience)
        {
            EventAudience.Validate(member);
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("An event payload is a JSON object.", nameof(payload));
        }

        Type = type;
        Audience = [.. audience.Distinct(StringComparer.Ordinal)];
        Payload = payload;
    }

    public string Type { get; }

    public IReadOnlyList<string> Audience { get; }

    public JsonElement Payload { get; }

    /// <summary>Serializes <paramref name="payload"/> with the platform's JSON options (snake_case).</summary>
    public static EventEnvelope Create<T>(string type, IReadOnlyCollection<string> audience, T payload) =>
        new(type, audience, JsonSerializer.SerializeToElement(payload, Json));

    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$")]
    private static partial Regex TypePattern();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformServices.ConfigureJson(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// Audience names. A user's personal stream is <c>user:&lt;uuid&gt;</c>; everything else is a group
/// <c>&lt;kind&gt;:&lt;id&gt;</c> (<c>case:7f0c…</c>, <c>provider-dashboard:&lt;tenant&gt;</c>) whose kind a module
/// registered with <see cref="Realtime.RealtimeServiceCollectionExtensions.AddRealtimeGroup{TAuthorizer}"/>.
/// </summary>
public static partial class EventAudience
{
    public const string UserKind = "user";

    public const int MaxLength = 200;

    public static string User(Guid userId) => $"{UserKind}:{userId:D}";

    public static string Group(string kind, string id)
    {
        var name = $"{kind}:{id}";
        Validate(name);
        return name;
    }

    public static string Group(string kind, Guid id) => Group(kind, id.ToString("D"));

    /// <summary>True for a well-formed audience name; <paramref name="kind"/> and <paramref name="id"/> are its parts.</summary>
    public static bool TryParse(string? name, out string kind, out string id)
    {
        kind = id = "";
        if (name is null || name.Length > MaxLength)
        {
            return false;
        }

        var match = NamePattern().Match(name);
        if (!match.Success)
        {
            return false;
        }

        kind = match.Groups["kind"].Value;
        id = match.Groups["id"].Value;
        return true;
    }

    internal static void Validate(string name)
    {
        if (!TryParse(name, out _, out _))
        {
            throw new ArgumentException(
                $"Audience '{name}' must be 'kind:id' (kind lower-case letters, digits and '-', id letters, digits, '-', '_' or '.'), at most {MaxLength} characters.");
        }
    }

    [GeneratedRegex("^(?<kind>[a-z][a-z0-9-]{0,39}):(?<id>[A-Za-z0-9_.-]{1,150})$")]
    private static partial Regex NamePattern();
}
