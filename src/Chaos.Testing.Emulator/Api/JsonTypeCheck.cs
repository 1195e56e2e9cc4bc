using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// Checks a JSON tree against a <c>k8s.Models</c> type the way the API server's JSON decoder (Go's encoding/json,
/// case-sensitive) reads it into the Go type: an object where a struct or map is, a string where a string is, an
/// integer that fits where an int32 or int64 is, a valid quantity, time or base64 text. Like Go, <c>null</c> is accepted
/// anywhere and unknown fields are not errors. The first mismatch is reported in Go's words, e.g.
/// <c>json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type map[string]string</c>.
/// </summary>
internal static partial class JsonTypeCheck
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> Fields = new();

    /// <summary>Checks <paramref name="node"/> as a <paramref name="model"/>; returns the first problem, or null when it decodes.</summary>
    public static string? Check(Type model, JsonNode? node) => Check(model, node, new Context(null, []));

    private static string? Check(Type type, JsonNode? node, Context at)
    {
        if (node is null)
        {
            return null;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        var kind = node.GetValueKind();
        if (type == typeof(object))
        {
            return null;
        }

        if (type == typeof(string))
        {
            return kind == JsonValueKind.String ? null : Mismatch(node, type, at);
        }

        if (type == typeof(bool))
        {
            return kind is JsonValueKind.True or JsonValueKind.False ? null : Mismatch(node, type, at);
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return kind != JsonValueKind.Number ? Mismatch(node, type, at)
                : FitsInteger(node.ToJsonString(), type == typeof(int)) ? null : Mismatch(node, type, at, withLiteral: true);
        }

        if (type == typeof(double))
        {
            return kind == JsonValueKind.Number && double.IsFinite(double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture))
                ? null
                : Mismatch(node, type, at, withLiteral: kind == JsonValueKind.Number);
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return kind != JsonValueKind.String ? Mismatch(node, type, at)
                : IsTime(node.GetValue<string>()) ? null
                : $"parsing time \"{node.GetValue<string>()}\" as \"2006-01-02T15:04:05Z07:00\": cannot parse it as a time{In(at)}";
        }

        if (type == typeof(IntOrString))
        {
            return kind == JsonValueKind.String || (kind == JsonValueKind.Number && FitsInteger(node.ToJsonString(), int32: true))
                ? null
                : Mismatch(node, type, at, withLiteral: kind == JsonValueKind.Number);
        }

        if (type == typeof(ResourceQuantity))
        {
            return kind is not (JsonValueKind.String or JsonValueKind.Number) ? Mismatch(node, type, at)
                : IsQuantity(kind == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString()) ? null
                : $"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'{In(at)}";
        }

        if (type == typeof(byte[]))
        {
            return kind != JsonValueKind.String ? Mismatch(node, type, at)
                : IsBase64(node.GetValue<string>()) ? null
                : $"illegal base64 data{In(at)}";
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return node is JsonObject map
                ? map.Select(p => Check(valueType, p.Value, at)).FirstOrDefault(e => e is not null)
                : Mismatch(node, type, at);
        }

        if (ListElementType(type) is { } elementType)
        {
            return node is JsonArray list
                ? list.Select(e => Check(elementType, e, at)).FirstOrDefault(e => e is not null)
                : Mismatch(node, type, at);
        }

        if (node is not JsonObject obj)
        {
            return Mismatch(node, type, at);
        }

        var fields = Fields.GetOrAdd(type, Describe);
        foreach (var (name, value) in obj)
        {
            if (fields.TryGetValue(name, out var fieldType) && Check(fieldType, value, new Context(type, [.. at.Path, name])) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Go's UnmarshalTypeError: what was found, where (the innermost struct, the field path from the root), the Go type.</summary>
    private static string Mismatch(JsonNode node, Type type, Context at, bool withLiteral = false)
    {
        var found = node.GetValueKind() switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => withLiteral ? "number " + Shorten(node.ToJsonString()) : "number",
            _ => "bool",
        };
        return at.Struct is null
            ? $"json: cannot unmarshal {found} into Go value of type {GoName(type)}"
            : $"json: cannot unmarshal {found} into Go struct field {Field(at)} of type {GoName(type)}";
    }

    private static string In(Context at) => at.Struct is null ? string.Empty : $" (Go struct field {Field(at)})";

    private static string Field(Context at) => $"{GoName(at.Struct!, qualified: false)}.{string.Join('.', at.Path)}";

    /// <summary>The Go spelling of a model type: <c>int32</c>, <c>map[string]string</c>, <c>[]v1.Container</c>, <c>v1.Pod</c>.</summary>
    private static string GoName(Type type, bool qualified = true)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (DictionaryValueType(type) is { } value)
        {
            return $"map[string]{GoName(value)}";
        }

        if (ListElementType(type) is { } element)
        {
            return $"[]{GoName(element)}";
        }

        return type switch
        {
            _ when type == typeof(string) => "string",
            _ when type == typeof(bool) => "bool",
            _ when type == typeof(int) => "int32",
            _ when type == typeof(long) => "int64",
            _ when type == typeof(double) => "float64",
            _ when type == typeof(byte[]) => "[]uint8",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "v1.Time",
            _ when type == typeof(IntOrString) => "intstr.IntOrString",
            _ when type == typeof(ResourceQuantity) => "resource.Quantity",
            _ => (qualified ? "v1." : string.Empty) + VersionPrefix().Replace(type.Name, string.Empty),
        };
    }

    private static IReadOnlyDictionary<string, Type> Describe(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p.PropertyType))
            .Where(p => p.Name is not null)
            .ToDictionary(p => p.Name!, p => p.PropertyType, StringComparer.Ordinal);

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>) ? type.GetGenericArguments()[1] : null;

    private static Type? ListElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>) ? type.GetGenericArguments()[0] : null;

    private static bool FitsInteger(string literal, bool int32) =>
        int32
            ? int.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            : long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool IsTime(string text) =>
        TimeFormat().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    // Go's pattern, and the client's own parser too, so that every stored quantity can be read back by KubernetesClient.
    private static bool IsQuantity(string text)
    {
        text = text.Trim();
        if (!QuantityFormat().IsMatch(text))
        {
            return false;
        }

        try
        {
            _ = new ResourceQuantity(text).ToString();
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsBase64(string text) => Convert.TryFromBase64String(text, new byte[text.Length], out _);

    private static string Shorten(string literal) => literal.Length <= 40 ? literal : literal[..40] + "...";

    [GeneratedRegex(@"^(?:[A-Z][a-z]+)?[Vv][0-9]+(?:alpha[0-9]+|beta[0-9]+)?(?=[A-Z])")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})\z")]
    private static partial Regex TimeFormat();

    [GeneratedRegex(@"\A[+-]?[0-9.]+[eEinumkKMGTP]*[-+]?[0-9]*\z")]
    private static partial Regex QuantityFormat();

    /// <summary>Where the check is: the innermost model type and the JSON field names from the root (no list indexes, as in Go).</summary>
    private sealed record Context(Type? Struct, string[] Path);
}
