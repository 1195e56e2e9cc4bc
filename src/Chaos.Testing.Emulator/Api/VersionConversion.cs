using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>Converts objects between a served version (<see cref="ResourceTypes.Views"/>) and the version they are stored in.</summary>
internal static class VersionConversion
{
    /// <summary>Whether <paramref name="type"/> is served from another type's objects.</summary>
    public static bool IsView(ResourceType type) => ResourceTypes.StorageOf(type) != type;

    /// <summary>A stored object as the version <paramref name="view"/>.</summary>
    public static JsonObject ToView(ResourceType view, JsonObject stored) =>
        view == ResourceTypes.HorizontalPodAutoscalersV1 ? HorizontalPodAutoscalerConversion.ToV1(stored)
        : view == ResourceTypes.EventsV1 ? EventConversion.ToEventsV1(stored)
        : stored;

    /// <summary>An object of the version <paramref name="view"/> as its stored version.</summary>
    public static JsonObject ToStorage(ResourceType view, JsonObject obj) =>
        view == ResourceTypes.HorizontalPodAutoscalersV1 ? HorizontalPodAutoscalerConversion.ToV2(obj)
        : view == ResourceTypes.EventsV1 ? EventConversion.ToCore(obj)
        : obj;

    /// <summary>The JSON of a stored object (a watch event's) as the version <paramref name="view"/>.</summary>
    public static byte[] ToView(ResourceType view, byte[] stored) =>
        System.Text.Encoding.UTF8.GetBytes(ToView(view, (JsonObject)JsonNode.Parse(stored)!).ToJsonString());
}
