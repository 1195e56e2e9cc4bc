using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>RFC 6901 JSON Pointer parsing and navigation over <see cref="JsonNode"/> trees.</summary>
internal static class JsonPointer
{
    /// <summary>The array token that addresses the position after the last element.</summary>
    public const string EndOfArray = "-";

    /// <summary>Splits a pointer into unescaped reference tokens (<c>~1</c> is <c>/</c>, <c>~0</c> is <c>~</c>).</summary>
    /// <param name="pointer">The pointer text; the empty string addresses the whole document.</param>
    /// <param name="tokens">The reference tokens, empty for the whole document.</param>
    /// <returns>False when the pointer is malformed.</returns>
    public static bool TryParse(string pointer, out IReadOnlyList<string> tokens)
    {
        tokens = [];
        if (pointer.Length == 0)
        {
            return true;
        }

        if (pointer[0] != '/')
        {
            return false;
        }

        var result = new List<string>();
        foreach (var raw in pointer[1..].Split('/'))
        {
            if (!TryUnescape(raw, out var token))
            {
                return false;
            }

            result.Add(token);
        }

        tokens = result;
        return true;
    }

    /// <summary>Parses an array index token: decimal digits without leading zeros.</summary>
    /// <param name="token">The reference token.</param>
    /// <param name="index">The parsed index.</param>
    /// <returns>False when the token is not a valid array index.</returns>
    public static bool TryParseIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0'))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>Resolves the first <paramref name="count"/> tokens against <paramref name="root"/>.</summary>
    /// <param name="root">The document.</param>
    /// <param name="tokens">The reference tokens.</param>
    /// <param name="count">How many leading tokens to follow.</param>
    /// <param name="value">The addressed value (null for a JSON null).</param>
    /// <returns>False when the location does not exist.</returns>
    public static bool TryResolve(JsonNode? root, IReadOnlyList<string> tokens, int count, out JsonNode? value)
    {
        value = null;
        var current = root;
        for (var i = 0; i < count; i++)
        {
            var token = tokens[i];
            switch (current)
            {
                case JsonObject obj:
                    if (!obj.TryGetPropertyValue(token, out current))
                    {
                        return false;
                    }

                    break;
                case JsonArray array:
                    if (!TryParseIndex(token, out var index) || index >= array.Count)
                    {
                        return false;
                    }

                    current = array[index];
                    break;
                default:
                    return false;
            }
        }

        value = current;
        return true;
    }

    private static bool TryUnescape(string raw, out string token)
    {
        token = raw;
        if (!raw.Contains('~', StringComparison.Ordinal))
        {
            return true;
        }

        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '~')
            {
                builder.Append(c);
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                return false;
            }

            var next = raw[++i];
            if (next == '0')
            {
                builder.Append('~');
            }
            else if (next == '1')
            {
                builder.Append('/');
            }
            else
            {
                return false;
            }
        }

        token = builder.ToString();
        return true;
    }
}
