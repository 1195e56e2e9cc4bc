using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// <c>events.k8s.io/v1</c> Event to and from the stored core <c>v1</c> Event, field by field as the API server
/// converts them: <c>note</c> is <c>message</c>, <c>regarding</c> is <c>involvedObject</c>, the <c>deprecated*</c>
/// fields are <c>source</c>, <c>firstTimestamp</c>, <c>lastTimestamp</c> and <c>count</c>, and
/// <c>reportingController</c> is <c>reportingComponent</c>.
/// </summary>
internal static class EventConversion
{
    private static readonly (string From, string To)[] CoreToEvents =
    [
        ("metadata", "metadata"),
        ("eventTime", "eventTime"),
        ("series", "series"),
        ("reportingComponent", "reportingController"),
        ("reportingInstance", "reportingInstance"),
        ("action", "action"),
        ("reason", "reason"),
        ("involvedObject", "regarding"),
        ("related", "related"),
        ("message", "note"),
        ("type", "type"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
    ];

    private static readonly (string From, string To)[] EventsToCore = FieldMap.Reverse(CoreToEvents);

    /// <summary>A stored core event as an <c>events.k8s.io/v1</c> Event.</summary>
    public static JsonObject ToEventsV1(JsonObject core) => WithType(FieldMap.Map(core, CoreToEvents), "events.k8s.io/v1");

    /// <summary>An <c>events.k8s.io/v1</c> Event as the core event it is stored as.</summary>
    public static JsonObject ToCore(JsonObject events) => WithType(FieldMap.Map(events, EventsToCore), "v1");

    private static JsonObject WithType(JsonObject body, string apiVersion)
    {
        var typed = new JsonObject { ["kind"] = "Event", ["apiVersion"] = apiVersion };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            typed[key] = value;
        }

        return typed;
    }
}
