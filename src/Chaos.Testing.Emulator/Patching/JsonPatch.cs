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

        switch (name)
        {
            case "add":
                return Add(document, tokens, RequireValue(op, Fail), Fail);
            case "remove":
                return Remove(document, tokens, Fail, "path does not exist");
            case "replace":
                return Replace(document, tokens, RequireValue(op, Fail), Fail);
            case "test":
                if (!JsonPointer.TryResolve(document, tokens, tokens.Count, out var actual))
                {
                    throw Fail("path does not exist");
                }

                if (!JsonEquality.AreEqual(actual, RequireValue(op, Fail)))
                {
                    throw Fail($"test failed: value is {Describe(actual)}, expected {Describe(op["value"])}");
                }

                return document;
            case "move":
            case "copy":
                var fromPath = ReadString(op, "from") ?? throw Fail("missing or non-string 'from'");
                if (!JsonPointer.TryParse(fromPath, out var fromTokens))
                {
                    throw Fail($"invalid JSON pointer '{fromPath}' in 'from'");
                }

                if (!JsonPointer.TryResolve(document, fromTokens, fromTokens.Count, out var source))
                {
                    throw Fail($"from path '{fromPath}' does not exist");
                }

                var value = source?.DeepClone();
                if (name == "copy")
                {
                    return Add(document, tokens, value, Fail);
                }

                if (fromPath == path)
                {
                    return document;
                }

                if (IsPrefix(fromTokens, tokens))
                {
                    throw Fail($"cannot move '{fromPath}' into one of its own children");
                }

                document = Remove(document, fromTokens, Fail, $"from path '{fromPath}' does not exist");
                return Add(document, tokens, value, Fail);
            default:
                throw Fail($"unknown operation '{name}'");
        }
    }

    private static JsonNode? Add(JsonNode? document, IReadOnlyList<string> tokens, JsonNode? value, Func<string, PatchException> fail)
    {
        if (tokens.Count == 0)
        {
            return value;
        }

        if (!JsonPointer.TryResolve(document, tokens, tokens.Count - 1, out var parent))
        {
            throw fail("path does not exist");
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                return document;
            case JsonArray array:
                if (last == JsonPointer.EndOfArray)
                {
                    array.Add(value);
                    return document;
                }

                if (!JsonPointer.TryParseIndex(last, out var index))
                {
                    throw fail($"invalid array index '{last}'");
                }

                if (index > array.Count)
                {
                    throw fail($"array index {index} is out of range (length {array.Count})");
                }

                array.Insert(index, value);
                return document;
            default:
                throw fail("path does not exist");
        }
    }

    private static JsonNode? Remove(JsonNode? document, IReadOnlyList<string> tokens, Func<string, PatchException> fail, string missing)
    {
        if (tokens.Count == 0)
        {
            throw fail("cannot remove the document root");
        }

        if (!JsonPointer.TryResolve(document, tokens, tokens.Count - 1, out var parent))
        {
            throw fail(missing);
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj.Remove(last);
                return document;
            case JsonArray array when JsonPointer.TryParseIndex(last, out var index) && index < array.Count:
                array.RemoveAt(index);
                return document;
            default:
                throw fail(missing);
        }
    }

    private static JsonNode? Replace(JsonNode? document, IReadOnlyList<string> tokens, JsonNode? value, Func<string, PatchException> fail)
    {
        if (tokens.Count == 0)
        {
            return value;
        }

        if (!JsonPointer.TryResolve(document, tokens, tokens.Count - 1, out var parent))
        {
            throw fail("path does not exist");
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj[last] = value;
                return document;
            case JsonArray array when JsonPointer.TryParseIndex(last, out var index) && index < array.Count:
                array[index] = value;
                return document;
            default:
                throw fail("path does not exist");
        }
    }

    private static JsonNode? RequireValue(JsonObject op, Func<string, PatchException> fail) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw fail("missing 'value'");

    private static string? ReadString(JsonObject op, string member) =>
        op.TryGetPropertyValue(member, out var node) && node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    private static bool IsPrefix(IReadOnlyList<string> prefix, IReadOnlyList<string> tokens)
    {
        if (prefix.Count >= tokens.Count)
        {
            return false;
        }

        for (var i = 0; i < prefix.Count; i++)
        {
            if (!string.Equals(prefix[i], tokens[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
    }
}
