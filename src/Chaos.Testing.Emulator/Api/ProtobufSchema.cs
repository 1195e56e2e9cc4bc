namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// The field table of the Kubernetes protobuf messages (ProtobufMessages.txt, embedded): per message, each field's number,
/// JSON name, label (<c>o</c> optional, <c>r</c> repeated, <c>m</c> map with string keys) and type. It is written by
/// eng/protobuf-schema.py from the <c>generated.proto</c> files of k8s.io/api and k8s.io/apimachinery.
/// </summary>
internal static class ProtobufSchema
{
    public const string Time = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTime = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string Duration = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
    public const string FieldsV1 = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1";
    public const string Quantity = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrString = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    public const string RawExtension = "k8s.io.apimachinery.pkg.runtime.RawExtension";

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<int, Field>>> Table = new(Load);

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<int, Field>> Messages => Table.Value;

    /// <summary>Whether a repeated field of this type may come packed (numbers and booleans).</summary>
    public static bool IsPackable(string type) => type is "bool" or "int32" or "int64" or "double" or "float";

    public static int WireOf(string type) => type switch
    {
        "double" => 1,
        "float" => 5,
        _ => 0,
    };

    private static Dictionary<string, IReadOnlyDictionary<int, Field>> Load()
    {
        using var stream = typeof(ProtobufSchema).Assembly.GetManifestResourceStream("Chaos.Testing.Emulator.Api.ProtobufMessages.txt")
            ?? throw new InvalidOperationException("the protobuf field table is not embedded in the emulator assembly");
        using var reader = new StreamReader(stream);
        var messages = new Dictionary<string, IReadOnlyDictionary<int, Field>>(StringComparer.Ordinal);
        Dictionary<int, Field>? current = null;
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "message")
            {
                current = [];
                messages[parts[1]] = current;
            }
            else if (parts.Length == 4 && current is not null)
            {
                current[int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)] = new Field(parts[1], parts[2][0], parts[3]);
            }
        }

        return messages;
    }

    /// <summary>One field of a message.</summary>
    public sealed record Field(string Name, char Label, string Type);
}
