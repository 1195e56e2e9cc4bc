using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// Reads request bodies in the Kubernetes protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>), which
/// kubectl 1.32 and later sends for <c>create namespace</c>, <c>create deployment</c>, <c>auth can-i</c>, <c>drain</c> and
/// the other commands built on typed clients, without a fallback to JSON. The body is the prefix <c>k8s\0</c> and a
/// <c>runtime.Unknown</c> envelope naming the kind; the object is turned into the JSON the same client would have
/// sent, field by field, with the field table of the <c>generated.proto</c> files (ProtobufMessages.txt). Go writes every
/// field to protobuf, zero or not; what its JSON encoding leaves out (zero values of omitempty non-pointer fields,
/// zero times) is left out here too, so the object is the one the same client would have sent as JSON.
/// </summary>
internal static class KubeProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private const int MaxDepth = 64;
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool Is(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Decodes a protobuf body into the JSON object of its kind.</summary>
    /// <exception cref="ApiException">400 for a body that is not a well-formed object of a known kind.</exception>
    public static JsonObject Decode(ReadOnlyMemory<byte> body)
    {
        if (!body.Span.StartsWith(Magic))
        {
            throw ApiException.BadRequest("the protobuf request body does not start with the \"k8s\\x00\" prefix");
        }

        string apiVersion = string.Empty, kind = string.Empty;
        ReadOnlyMemory<byte> raw = default;
        var reader = new WireReader(body[Magic.Length..]);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, 2):
                    var typeMeta = new WireReader(reader.Bytes());
                    while (typeMeta.Next(out var f, out var w))
                    {
                        if (f is 1 or 2 && w == 2)
                        {
                            var text = Encoding.UTF8.GetString(typeMeta.Bytes().Span);
                            (apiVersion, kind) = f == 1 ? (text, kind) : (apiVersion, text);
                        }
                        else
                        {
                            typeMeta.Skip(w);
                        }
                    }

                    break;
                case (2, 2):
                    raw = reader.Bytes();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        var message = MessageName(apiVersion, kind);
        if (!ProtobufSchema.Messages.ContainsKey(message))
        {
            throw ApiException.BadRequest($"no kind \"{kind}\" is registered for version \"{apiVersion}\" in the protobuf encoding the emulator reads");
        }

        var result = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
        var decoded = DecodeMessage(message, raw, 0);
        foreach (var name in decoded.Select(p => p.Key).ToList())
        {
            var value = decoded[name];
            decoded.Remove(name);
            result[name] = value;
        }

        return result;
    }

    private static string MessageName(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? (string.Empty, apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        if (kind is "DeleteOptions" or "Status")
        {
            return $"k8s.io.apimachinery.pkg.apis.meta.v1.{kind}";
        }

        return $"k8s.io.api.{(group.Length == 0 ? "core" : group.Split('.')[0])}.{version}.{kind}";
    }

    private static JsonObject DecodeMessage(string name, ReadOnlyMemory<byte> bytes, int depth)
    {
        if (depth > MaxDepth)
        {
            throw ApiException.BadRequest("the protobuf request body nests deeper than any Kubernetes object");
        }

        var fields = ProtobufSchema.Messages[name];
        var result = new JsonObject();
        var reader = new WireReader(bytes);
        while (reader.Next(out var number, out var wire))
        {
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wire);
                continue;
            }

            if (field.Label == 'm')
            {
                var entries = result[field.Name] as JsonObject ?? [];
                var entry = new WireReader(reader.Bytes());
                string key = string.Empty;
                JsonNode? value = null;
                while (entry.Next(out var f, out var w))
                {
                    if (f == 1 && w == 2)
                    {
                        key = Encoding.UTF8.GetString(entry.Bytes().Span);
                    }
                    else if (f == 2)
                    {
                        value = Value(field.Type, entry, w, depth, keepEmpty: true);
                    }
                    else
                    {
                        entry.Skip(w);
                    }
                }

                entries[key] = value ?? Empty(field.Type);
                result[field.Name] = entries;
            }
            else if (field.Label == 'r')
            {
                var list = result[field.Name] as JsonArray ?? [];
                if (wire == 2 && ProtobufSchema.IsPackable(field.Type))
                {
                    var packed = new WireReader(reader.Bytes());
                    while (!packed.AtEnd)
                    {
                        list.Add(Value(field.Type, packed, ProtobufSchema.WireOf(field.Type), depth, keepEmpty: true));
                    }
                }
                else
                {
                    list.Add(Value(field.Type, reader, wire, depth, keepEmpty: true));
                }

                result[field.Name] = list;
            }
            else if (Value(field.Type, reader, wire, depth, keepEmpty: false) is { } value && !(field.Label == 'z' && IsZero(value)))
            {
                result[field.Name] = value;
            }
        }

        return result;
    }

    private static JsonNode? Value(string type, WireReader reader, int wire, int depth, bool keepEmpty)
    {
        switch (type)
        {
            case "string":
                return JsonValue.Create(Encoding.UTF8.GetString(reader.Expect(wire, 2).Bytes().Span));
            case "bytes":
                return JsonValue.Create(Convert.ToBase64String(reader.Expect(wire, 2).Bytes().Span));
            case "bool":
                return JsonValue.Create(reader.Expect(wire, 0).Varint() != 0);
            case "int32":
                return JsonValue.Create((int)(long)reader.Expect(wire, 0).Varint());
            case "int64":
                return JsonValue.Create((long)reader.Expect(wire, 0).Varint());
            case "double":
                return JsonValue.Create(BitConverter.Int64BitsToDouble((long)reader.Expect(wire, 1).Fixed(8)));
            case "float":
                return JsonValue.Create((double)BitConverter.Int32BitsToSingle((int)reader.Expect(wire, 5).Fixed(4)));
        }

        var bytes = reader.Expect(wire, 2).Bytes();
        if (!ProtobufSchema.Messages.ContainsKey(type))
        {
            return null;
        }

        var message = DecodeMessage(type, bytes, depth + 1);
        return type switch
        {
            ProtobufSchema.Time => Time(message, "yyyy-MM-dd'T'HH:mm:ss'Z'", keepEmpty),
            ProtobufSchema.MicroTime => Time(message, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", keepEmpty),
            ProtobufSchema.Quantity => message["string"]?.DeepClone() ?? JsonValue.Create("0"),
            ProtobufSchema.IntOrString => message["type"]?.GetValue<long>() == 1
                ? JsonValue.Create(message["strVal"]?.GetValue<string>() ?? string.Empty)
                : JsonValue.Create(message["intVal"]?.GetValue<int>() ?? 0),
            ProtobufSchema.RawExtension or ProtobufSchema.FieldsV1 => EmbeddedJson(message[type == ProtobufSchema.FieldsV1 ? "Raw" : "raw"]),
            ProtobufSchema.Duration => JsonValue.Create(GoDuration(message["duration"]?.GetValue<long>() ?? 0)),
            _ => message,
        };
    }

    private static bool IsZero(JsonNode value) => value is JsonValue scalar && scalar.GetValueKind() switch
    {
        JsonValueKind.String => scalar.GetValue<string>().Length == 0,
        JsonValueKind.False => true,
        JsonValueKind.Number => scalar.ToJsonString() == "0",
        _ => false,
    };

    private static JsonValue? Time(JsonObject message, string format, bool keepEmpty)
    {
        var seconds = message["seconds"]?.GetValue<long>() ?? 0;
        var nanos = message["nanos"]?.GetValue<int>() ?? 0;
        if (seconds == 0 && nanos == 0 && !keepEmpty)
        {
            return null;
        }

        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
        return JsonValue.Create(time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
    }

    private static JsonNode? EmbeddedJson(JsonNode? base64)
    {
        if (base64 is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(Convert.FromBase64String(base64.GetValue<string>()));
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the protobuf request body embeds an object that is not JSON: {ex.Message}");
        }
    }

    private static string GoDuration(long nanoseconds) =>
        nanoseconds == 0 ? "0s" : TimeSpan.FromTicks(nanoseconds / 100) is var span && span.TotalHours >= 1
            ? $"{(int)span.TotalHours}h{span.Minutes}m{span.Seconds}s"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds}s" : $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";

    private static JsonNode Empty(string type) => type switch
    {
        "string" => JsonValue.Create(string.Empty),
        "bytes" => JsonValue.Create(string.Empty),
        "bool" => JsonValue.Create(false),
        "int32" or "int64" or "double" or "float" => JsonValue.Create(0),
        _ => new JsonObject(),
    };
}
