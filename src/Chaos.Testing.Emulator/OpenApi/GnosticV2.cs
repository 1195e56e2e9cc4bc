using System.Text;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.OpenApi;

/// <summary>
/// Encodes the Swagger 2.0 document as the protobuf message <c>openapi.v2.Document</c> of gnostic, which is what
/// clients ask <c>/openapi/v2</c> for (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>; the
/// answer is labelled <c>application/octet-stream</c>, as the API server does) and the only form they decode: kubectl up to 1.32
/// reads it before <c>apply</c>, <c>diff</c> and <c>create -f</c>. Only the parts <see cref="OpenApiDocuments.V2"/>
/// writes are encoded; field numbers are those of gnostic's <c>OpenAPIv2.proto</c>.
/// </summary>
internal static class GnosticV2
{
    public static byte[] Encode(JsonObject document)
    {
        var message = new ProtoWriter();
        message.String(1, document["swagger"]?.ToString());
        message.Nested(2, Info(document["info"] as JsonObject));
        var paths = new ProtoWriter();
        foreach (var (name, item) in (JsonObject)document["paths"]!)
        {
            paths.Nested(2, Named(name, PathItem((JsonObject)item!)));
        }

        message.Nested(8, paths);
        var definitions = new ProtoWriter();
        foreach (var (name, schema) in (JsonObject)document["definitions"]!)
        {
            definitions.Nested(1, Named(name, Schema((JsonObject)schema!)));
        }

        message.Nested(9, definitions);
        return message.ToArray();
    }

    private static ProtoWriter Info(JsonObject? info)
    {
        var message = new ProtoWriter();
        message.String(1, info?["title"]?.ToString());
        message.String(2, info?["version"]?.ToString());
        return message;
    }

    private static ProtoWriter PathItem(JsonObject item)
    {
        var message = new ProtoWriter();
        foreach (var (method, field) in new[] { ("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("patch", 8) })
        {
            if (item[method] is JsonObject operation)
            {
                message.Nested(field, Operation(operation));
            }
        }

        return message;
    }

    private static ProtoWriter Operation(JsonObject operation)
    {
        var message = new ProtoWriter();
        message.String(5, operation["operationId"]?.ToString());
        foreach (var parameter in ((JsonArray)operation["parameters"]!).OfType<JsonObject>())
        {
            message.Nested(8, new ProtoWriter().Nested(1, Parameter(parameter)));
        }

        var responses = new ProtoWriter();
        foreach (var (code, response) in (JsonObject)operation["responses"]!)
        {
            var body = new ProtoWriter();
            body.String(1, response?["description"]?.ToString());
            if (response?["schema"] is JsonObject schema)
            {
                body.Nested(2, new ProtoWriter().Nested(1, Schema(schema)));
            }

            responses.Nested(1, Named(code, new ProtoWriter().Nested(1, body)));
        }

        message.Nested(9, responses);
        Extensions(message, 13, operation);
        return message;
    }

    private static ProtoWriter Parameter(JsonObject parameter)
    {
        var location = parameter["in"]?.ToString();
        var sub = new ProtoWriter();
        if (location == "body")
        {
            sub.String(2, parameter["name"]?.ToString());
            sub.String(3, location);
            sub.Bool(4, parameter["required"]?.GetValue<bool>() == true);
            sub.Nested(5, Schema((JsonObject)parameter["schema"]!));
            return new ProtoWriter().Nested(1, sub);
        }

        // Query and path parameter sub-schemas share these numbers up to the name; type and uniqueItems differ.
        var query = location == "query";
        sub.Bool(1, parameter["required"]?.GetValue<bool>() == true);
        sub.String(2, location);
        sub.String(4, parameter["name"]?.ToString());
        sub.String(query ? 6 : 5, parameter["type"]?.ToString());
        sub.Bool(query ? 20 : 19, parameter["uniqueItems"]?.GetValue<bool>() == true);
        return new ProtoWriter().Nested(2, new ProtoWriter().Nested(query ? 3 : 4, sub));
    }

    private static ProtoWriter Schema(JsonObject schema)
    {
        var message = new ProtoWriter();
        message.String(1, schema["$ref"]?.ToString());
        message.String(2, schema["format"]?.ToString());
        message.String(4, schema["description"]?.ToString());
        if (schema["additionalProperties"] is JsonObject additional)
        {
            message.Nested(21, new ProtoWriter().Nested(1, Schema(additional)));
        }

        if (schema["type"]?.ToString() is { } type)
        {
            message.Nested(22, new ProtoWriter().String(1, type));
        }

        if (schema["items"] is JsonObject items)
        {
            message.Nested(23, new ProtoWriter().Nested(1, Schema(items)));
        }

        if (schema["properties"] is JsonObject properties)
        {
            var fields = new ProtoWriter();
            foreach (var (name, property) in properties)
            {
                fields.Nested(1, Named(name, Schema((JsonObject)property!)));
            }

            message.Nested(25, fields);
        }

        Extensions(message, 31, schema);
        return message;
    }

    /// <summary>Vendor extensions (<c>x-...</c>) as <c>NamedAny</c>, their value as YAML text (JSON is YAML).</summary>
    private static void Extensions(ProtoWriter message, int field, JsonObject owner)
    {
        foreach (var (name, value) in owner.Where(p => p.Key.StartsWith("x-", StringComparison.Ordinal)))
        {
            message.Nested(field, Named(name, new ProtoWriter().String(2, value?.ToJsonString() ?? "null")));
        }
    }

    private static ProtoWriter Named(string name, ProtoWriter value) => new ProtoWriter().String(1, name).Nested(2, value);

    /// <summary>A protobuf message being written: fields in the order they are added.</summary>
    private sealed class ProtoWriter
    {
        private readonly List<byte> _bytes = [];

        public ProtoWriter String(int field, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                Bytes(field, Encoding.UTF8.GetBytes(value));
            }

            return this;
        }

        public ProtoWriter Bool(int field, bool value)
        {
            if (value)
            {
                Varint((ulong)field << 3);
                Varint(1);
            }

            return this;
        }

        public ProtoWriter Nested(int field, ProtoWriter value)
        {
            Bytes(field, [.. value._bytes]);
            return this;
        }

        public byte[] ToArray() => [.. _bytes];

        private void Bytes(int field, byte[] value)
        {
            Varint(((ulong)field << 3) | 2);
            Varint((ulong)value.Length);
            _bytes.AddRange(value);
        }

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.Add((byte)value);
        }
    }
}
