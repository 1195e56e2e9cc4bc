using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Runtime.Processes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// A container's environment as the kubelet builds it: <c>envFrom</c> (ConfigMaps and Secrets, with their prefix),
/// then <c>env</c> in order, where <c>valueFrom</c> reads the pod's fields (<c>fieldRef</c>), a ConfigMap's or a
/// Secret's key, and <c>$(NAME)</c> expands a variable defined before it (<c>$$(NAME)</c> stays literal). A missing
/// ConfigMap, Secret or key that is not optional is a problem: the container waits with
/// <c>CreateContainerConfigError</c> and the kubelet's message.
/// </summary>
internal static partial class ContainerEnvironment
{
    public static (Dictionary<string, string>? Environment, string? Problem) Resolve(ResourceStore store, JsonObject pod, PodContext context, JsonObject container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = HostTools.DefaultPath,
            ["HOSTNAME"] = context.Name,
        };
        foreach (var source in (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var prefix = source["prefix"]?.ToString() ?? string.Empty;
            var (kind, reference) = source["configMapRef"] is JsonObject c ? ("ConfigMap", c) : source["secretRef"] is JsonObject s ? ("Secret", s) : (null, null);
            if (kind is null || reference is null)
            {
                continue;
            }

            var (data, problem) = Data(store, context.Namespace, kind, reference["name"]?.ToString() ?? string.Empty, Optional(reference));
            if (problem is not null)
            {
                return (null, problem);
            }

            foreach (var (key, value) in data)
            {
                environment[prefix + key] = value;
            }
        }

        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = variable["name"]?.ToString() ?? string.Empty;
            if (variable["valueFrom"] is not JsonObject from)
            {
                environment[name] = Expand(variable["value"]?.ToString() ?? string.Empty, environment);
                continue;
            }

            var (value, problem) = ValueFrom(store, pod, context, from);
            if (problem is not null)
            {
                return (null, problem);
            }

            if (value is not null)
            {
                environment[name] = value;
            }
        }

        return (environment, null);
    }

    private static (string? Value, string? Problem) ValueFrom(ResourceStore store, JsonObject pod, PodContext context, JsonObject from)
    {
        if (from["fieldRef"]?["fieldPath"]?.ToString() is { } path)
        {
            return (Field(store, pod, context, path), null);
        }

        var (kind, reference) = from["configMapKeyRef"] is JsonObject c ? ("ConfigMap", c) : from["secretKeyRef"] is JsonObject s ? ("Secret", s) : (null, null);
        if (kind is null || reference is null)
        {
            return (string.Empty, null); // resourceFieldRef: not resolved by the process runtime
        }

        var objectName = reference["name"]?.ToString() ?? string.Empty;
        var key = reference["key"]?.ToString() ?? string.Empty;
        var (data, problem) = Data(store, context.Namespace, kind, objectName, Optional(reference));
        if (problem is not null)
        {
            return (null, problem);
        }

        return data.TryGetValue(key, out var value) ? (value, null)
            : Optional(reference) ? (null, null)
            : (null, $"couldn't find key {key} in {kind} {context.Namespace}/{objectName}");
    }

    private static string Field(ResourceStore store, JsonObject pod, PodContext context, string path)
    {
        var match = Indexed().Match(path);
        if (match.Success)
        {
            return pod["metadata"]?[match.Groups["map"].Value]?[match.Groups["key"].Value]?.ToString() ?? string.Empty;
        }

        return path switch
        {
            "metadata.name" => context.Name,
            "metadata.namespace" => context.Namespace,
            "metadata.uid" => context.Uid,
            "spec.nodeName" => context.Node,
            "spec.serviceAccountName" => pod["spec"]?["serviceAccountName"]?.ToString() ?? "default",
            "status.podIP" or "status.podIPs" => context.PodIp,
            "status.hostIP" or "status.hostIPs" => (store.Get(ResourceTypes.Nodes, null, context.Node)?.Node["status"]?["addresses"] as JsonArray ?? [])
                .FirstOrDefault(a => a?["type"]?.ToString() == "InternalIP")?["address"]?.ToString() ?? string.Empty,
            _ => string.Empty,
        };
    }

    private static (Dictionary<string, string> Data, string? Problem) Data(ResourceStore store, string ns, string kind, string name, bool optional)
    {
        var type = kind == "Secret" ? ResourceTypes.Secrets : ResourceTypes.ConfigMaps;
        var found = store.Get(type, ns, name);
        if (found is null)
        {
            return ([], optional ? null : $"{kind.ToLowerInvariant()} \"{name}\" not found");
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in found.Node["data"] as JsonObject ?? [])
        {
            data[key] = kind == "Secret" ? Decode(value?.ToString()) : value?.ToString() ?? string.Empty;
        }

        if (kind == "Secret")
        {
            // stringData is write-only on a real server (merged into data); the emulator may still hold it.
            foreach (var (key, value) in found.Node["stringData"] as JsonObject ?? [])
            {
                data[key] = value?.ToString() ?? string.Empty;
            }
        }

        return (data, null);
    }

    private static string Decode(string? base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64 ?? string.Empty));
        }
        catch (FormatException)
        {
            return string.Empty;
        }
    }

    private static bool Optional(JsonObject reference) => reference["optional"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;

    /// <summary><c>$(NAME)</c> → the value of a variable defined before; <c>$$(NAME)</c> → <c>$(NAME)</c>; an unknown name stays as written.</summary>
    private static string Expand(string value, Dictionary<string, string> defined) =>
        Reference().Replace(value, m => m.Groups["escaped"].Success ? m.Value[1..]
            : defined.TryGetValue(m.Groups["name"].Value, out var found) ? found : m.Value);

    [GeneratedRegex(@"\Ametadata\.(?<map>labels|annotations)\['(?<key>[^']+)'\]\z")]
    private static partial Regex Indexed();

    [GeneratedRegex(@"(?<escaped>\$)?\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();
}
