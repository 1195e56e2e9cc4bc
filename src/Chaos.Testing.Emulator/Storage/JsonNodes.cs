using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>JSON tree edits that behave the same on every target framework.</summary>
internal static class JsonNodes
{
    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> unless it already is that very node: re-assigning a node
    /// to its own slot detaches it on some runtimes (net8.0), so it is skipped.
    /// </summary>
    public static void Put(this JsonObject obj, string key, JsonNode? value)
    {
        if (value is not null && ReferenceEquals(obj[key], value))
        {
            return;
        }

        obj[key] = value;
    }
}
