using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Validation;

/// <summary>
/// A custom resource checked against its CRD's structural <c>openAPIV3Schema</c>, as the apiextensions server does:
/// fields the schema does not name are pruned (unless <c>x-kubernetes-preserve-unknown-fields</c>), defaults are filled
/// in, then <c>type</c>, <c>nullable</c>, <c>required</c>, <c>enum</c>, <c>minimum</c>/<c>maximum</c> (and exclusive),
/// <c>minLength</c>/<c>maxLength</c>, <c>pattern</c>, <c>minItems</c>/<c>maxItems</c>,
/// <c>minProperties</c>/<c>maxProperties</c> and <c>x-kubernetes-int-or-string</c> are checked. Not checked:
/// <c>x-kubernetes-validations</c> (CEL), <c>format</c>, <c>multipleOf</c>, <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c>/<c>not</c>,
/// list-type uniqueness.
/// </summary>
internal static class OpenApiSchema
{
    private static readonly string[] RootFields = ["apiVersion", "kind", "metadata"];

    public static void Validate(JsonObject schema, JsonObject obj, List<FieldError> errors)
    {
        foreach (var (name, value) in obj.ToList())
        {
            if (RootFields.Contains(name))
            {
                continue;
            }

            if (schema["properties"]?[name] is JsonObject property)
            {
                Check(property, value, name, errors);
            }
            else if (!PreservesUnknown(schema))
            {
                obj.Remove(name);
            }
        }

        FillDefaults(schema, obj);
        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r?.ToString() ?? string.Empty))
        {
            if (!RootFields.Contains(required) && !obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required(required));
            }
        }
    }

    private static void Check(JsonObject schema, JsonNode? node, string path, List<FieldError> errors)
    {
        if (node is null)
        {
            if (!JsonNumbers.IsTrue(schema["nullable"]) && schema["type"] is not null)
            {
                errors.Add(FieldError.Invalid(path, "null", $"{path} in body must be of type {schema["type"]}: \"null\""));
            }

            return;
        }

        var kind = node.GetValueKind();
        var type = schema["type"]?.ToString();
        if (JsonNumbers.IsTrue(schema["x-kubernetes-int-or-string"]))
        {
            if (kind is not (JsonValueKind.Number or JsonValueKind.String))
            {
                errors.Add(FieldError.Invalid(path, node.ToJsonString(), $"{path} in body must be of type int-or-string"));
            }

            return;
        }

        if (type is not null && !Matches(type, node, kind))
        {
            errors.Add(FieldError.Invalid(path, node.ToJsonString(), $"{path} in body must be of type {type}: \"{Describe(kind)}\""));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(FieldError.NotSupported(path, node is JsonValue v && kind == JsonValueKind.String ? v.ToString() : node.ToJsonString(),
                allowed.Select(a => a?.GetValueKind() == JsonValueKind.String ? a.ToString() : a?.ToJsonString() ?? "null")));
        }

        switch (node)
        {
            case JsonObject obj:
                CheckObject(schema, obj, path, errors);
                break;
            case JsonArray array:
                Bounds(schema, "minItems", "maxItems", array.Count, path, "items", errors);
                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Check(items, array[i], $"{path}[{i}]", errors);
                    }
                }

                break;
            case JsonValue when kind == JsonValueKind.String:
                var text = node.ToString();
                Bounds(schema, "minLength", "maxLength", new StringInfo(text).LengthInTextElements, path, "characters", errors);
                if (schema["pattern"]?.ToString() is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    errors.Add(FieldError.Invalid(path, text, $"{path} in body should match '{pattern}'"));
                }

                break;
            case JsonValue when kind == JsonValueKind.Number:
                var number = double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
                if (schema["minimum"]?.GetValue<double>() is { } min
                    && (JsonNumbers.IsTrue(schema["exclusiveMinimum"]) ? number <= min : number < min))
                {
                    var words = JsonNumbers.IsTrue(schema["exclusiveMinimum"]) ? "greater than" : "greater than or equal to";
                    errors.Add(FieldError.Invalid(path, node.ToJsonString(), $"{path} in body should be {words} {min.ToString(CultureInfo.InvariantCulture)}"));
                }

                if (schema["maximum"]?.GetValue<double>() is { } max
                    && (JsonNumbers.IsTrue(schema["exclusiveMaximum"]) ? number >= max : number > max))
                {
                    var words = JsonNumbers.IsTrue(schema["exclusiveMaximum"]) ? "less than" : "less than or equal to";
                    errors.Add(FieldError.Invalid(path, node.ToJsonString(), $"{path} in body should be {words} {max.ToString(CultureInfo.InvariantCulture)}"));
                }

                break;
        }

    }

    private static void CheckObject(JsonObject schema, JsonObject obj, string path, List<FieldError> errors)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        foreach (var (name, value) in obj.ToList())
        {
            if (properties?[name] is JsonObject property)
            {
                Check(property, value, $"{path}.{name}", errors);
            }
            else if (additional is JsonObject valueSchema)
            {
                Check(valueSchema, value, $"{path}.{name}", errors);
            }
            else if (!PreservesUnknown(schema) && !(additional is JsonValue a && a.GetValueKind() == JsonValueKind.True))
            {
                obj.Remove(name); // pruned, as the server prunes unknown fields
            }
        }

        FillDefaults(schema, obj);
        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r?.ToString() ?? string.Empty))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required($"{path}.{required}"));
            }
        }

        Bounds(schema, "minProperties", "maxProperties", obj.Count, path, "properties", errors);
    }

    private static void FillDefaults(JsonObject schema, JsonObject obj)
    {
        foreach (var (name, property) in schema["properties"] as JsonObject ?? [])
        {
            if (!obj.ContainsKey(name) && property?["default"] is { } value)
            {
                obj[name] = value.DeepClone();
            }
        }
    }

    private static void Bounds(JsonObject schema, string minField, string maxField, int count, string path, string unit, List<FieldError> errors)
    {
        if (schema[minField]?.GetValue<long>() is { } min && count < min)
        {
            errors.Add(FieldError.Invalid(path, count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} {unit}"));
        }

        if (schema[maxField]?.GetValue<long>() is { } max && count > max)
        {
            errors.Add(new FieldError("FieldValueTooLong", path, $"Too long: may not be more than {max} {unit}"));
        }
    }

    private static bool PreservesUnknown(JsonObject schema) =>
        JsonNumbers.IsTrue(schema["x-kubernetes-preserve-unknown-fields"]) || JsonNumbers.IsTrue(schema["x-kubernetes-embedded-resource"]);

    private static bool Matches(string type, JsonNode node, JsonValueKind kind) => type switch
    {
        "object" => kind == JsonValueKind.Object,
        "array" => kind == JsonValueKind.Array,
        "string" => kind == JsonValueKind.String,
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "integer" => kind == JsonValueKind.Number && long.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        "number" => kind == JsonValueKind.Number,
        _ => true,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
