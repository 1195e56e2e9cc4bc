using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>Applies RFC 6902 JSON Patch documents to <see cref="JsonNode"/> trees.</summary>
internal static class JsonPatch
{
    /// <summary>
    /// Applies the operations of <paramref name="patch"/> in order to a copy of <paramref name="document"/>.
    /// The inputs are never mutated.
    /// </summary>
    /// <param name="document">The document to patch; may be null.</param>
    /// <param name="patch">A JSON array of operations (<c>add</c>, <c>remove</c>, <c>replace</c>, <c>move</c>, <c>copy</c>, <c>test</c>).</param>
    /// <returns>The patched document.</returns>
    /// <exception cref="PatchException">
    /// An operation is malformed, addresses a missing location, or a <c>test</c> fails. The message names the
    /// zero-based operation index, the op and the path.
    /// </exception>
    public static JsonNode? Apply(JsonNode? document, JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch is not JsonArray operations)
        {
            throw new PatchException("json patch must be a JSON array of operations");
        }

        var result = document?.DeepClone();
        for (var i = 0; i < operations.Count; i++)
        {
            result = ApplyOperation(result, operations[i], i);
        }

        return result;
    }

    private static JsonNode? ApplyOperation(JsonNode? document, JsonNode? operation, int index)
    {
        if (operation is not JsonObject op)
        {
            throw new PatchException($"json patch operation {index}: operation must be a JSON object");
        }

        var name = ReadString(op, "op");
        var path = ReadString(op, "path");

        PatchException Fail(string reason) =>
            new($"json patch operation {index} ({name ?? "<missing op>"} {path ?? "<missing path>"}): {reason}");

        if (name is null)
        {
            throw Fail("missing or non-string 'op'");
        }

        if (path is null)
        {
            throw Fail("missing or non-string 'path'");
        }

        if (!JsonPointer.TryParse(path, out var tokens))
        {
            throw Fail($"invalid JSON pointer '{path}'");
        }

        var value = op.TryGetPropertyValue("value", out var given) ? given?.DeepClone() : null;
        switch (name)
        {
            case "add":
                return Add(document, tokens, value, Fail);
            case "remove":
                return Remove(document, tokens, Fail);
            case "replace":
                return Replace(document, tokens, value, Fail);
            case "test":
                var actual = tokens.Count == 0 ? document : Get(Parent(document, tokens, Fail), tokens[^1], Fail);
                if (!JsonEquality.AreEqual(actual, value))
                {
                    throw Fail($"test failed: value is {Describe(actual)}, expected {Describe(value)}");
                }

                return document;
            case "move":
            case "copy":
                var fromPath = ReadString(op, "from") ?? throw Fail("missing or non-string 'from'");
                if (!JsonPointer.TryParse(fromPath, out var fromTokens) || fromTokens.Count == 0)
                {
                    throw Fail($"from path '{fromPath}' does not exist");
                }

                var fromParent = Parent(document, fromTokens, Fail);
                var moved = Get(fromParent, fromTokens[^1], Fail)?.DeepClone();
                if (name == "move")
                {
                    document = Remove(document, fromTokens, reason => Fail($"from path '{fromPath}' does not exist"));
                }

                return Add(document, tokens, moved, Fail);
            default:
                throw Fail($"unknown operation '{name}'");
        }
    }

    // The API server applies JSON patches with evanphx/json-patch v4, which is laxer than RFC 6902 in ways clients
    // rely on: replace (and test, and copy's from) on an absent object member behaves as if it held null, array
    // indices may be negative (counted from the end) and, as Go's Atoi reads them, carry a sign or leading zeros.
    private static JsonNode Parent(JsonNode? document, IReadOnlyList<string> tokens, Func<string, PatchException> fail)
    {
        var current = document;
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            current = current switch
            {
                JsonObject obj => obj[tokens[i]],
                JsonArray array when TryIndex(tokens[i], array.Count, out var index) && index < array.Count => array[index],
                _ => null,
            };
        }

        return current is JsonObject or JsonArray ? current : throw fail("path does not exist");
    }

    private static JsonNode? Get(JsonNode parent, string key, Func<string, PatchException> fail) => parent switch
    {
        JsonObject obj => obj[key],
        JsonArray array when TryIndex(key, array.Count, out var index) && index < array.Count => array[index],
        _ => throw fail("path does not exist"),
    };

    private static JsonNode? Add(JsonNode? document, IReadOnlyList<string> tokens, JsonNode? value, Func<string, PatchException> fail)
    {
        if (tokens.Count == 0)
        {
            throw fail("path does not exist");
        }

        var parent = Parent(document, tokens, fail);
        var last = tokens[^1];
        if (parent is JsonObject obj)
        {
            obj[last] = value;
        }
        else if (parent is JsonArray array && last == JsonPointer.EndOfArray)
        {
            array.Add(value);
        }
        else if (parent is JsonArray list && TryIndex(last, list.Count + 1, out var index) && index <= list.Count)
        {
            list.Insert(index, value);
        }
        else
        {
            throw fail(parent is JsonArray full ? $"array index {last} is out of range (length {full.Count})" : "path does not exist");
        }

        return document;
    }

    private static JsonNode? Remove(JsonNode? document, IReadOnlyList<string> tokens, Func<string, PatchException> fail)
    {
        if (tokens.Count == 0)
        {
            throw fail("cannot remove the document root");
        }

        var parent = Parent(document, tokens, fail);
        var last = tokens[^1];
        if (parent is JsonObject obj && obj.Remove(last))
        {
            return document;
        }

        if (parent is JsonArray array && TryIndex(last, array.Count, out var index) && index < array.Count)
        {
            array.RemoveAt(index);
            return document;
        }

        throw fail("path does not exist");
    }

    private static JsonNode? Replace(JsonNode? document, IReadOnlyList<string> tokens, JsonNode? value, Func<string, PatchException> fail)
    {
        if (tokens.Count == 0)
        {
            return value is JsonObject or JsonArray ? value : throw fail("replace operation value must be object or array");
        }

        var parent = Parent(document, tokens, fail);
        var last = tokens[^1];
        if (parent is JsonObject obj)
        {
            obj[last] = value;
        }
        else if (parent is JsonArray array && TryIndex(last, array.Count, out var index) && index < array.Count)
        {
            array[index] = value;
        }
        else
        {
            throw fail("path does not exist");
        }

        return document;
    }

    /// <summary>An array index as Go's Atoi reads it; a negative one counts back from <paramref name="length"/>.</summary>
    private static bool TryIndex(string token, int length, out int index)
    {
        if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        if (index < 0)
        {
            index += length;
        }

        return index >= 0;
    }

    private static string? ReadString(JsonObject op, string member) =>
        op.TryGetPropertyValue(member, out var node) && node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    private static string Describe(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
    }
}
