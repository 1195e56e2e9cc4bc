using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Validation;

/// <summary>
/// The subset of API validation that matters for what chaos tests send: names, labels, required fields,
/// selectors that match templates, pod update rules and ephemeral containers. Every error is collected, then
/// reported at once as a 422 with one cause per field, as the real server does.
/// </summary>
internal static partial class ObjectValidator
{
    private const int TotalAnnotationBytes = 256 * 1024;

    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public static void ValidateCreate(ResourceType type, JsonObject obj)
    {
        var errors = new List<FieldError>();
        ValidateMetadata(type, obj, errors);
        ValidateSpec(type, obj, errors);
        Throw(type, obj, errors);
    }

    public static void ValidateUpdate(ResourceType type, JsonObject obj, StoredObject current)
    {
        var errors = new List<FieldError>();
        ValidateMetadata(type, obj, errors);
        ValidateSpec(type, obj, errors);
        if (type == ResourceTypes.Pods)
        {
            ValidatePodUpdate(obj, current.Node, errors);
        }

        if (type.Group == "apps" && !JsonNode.DeepEquals(obj["spec"]?["selector"], current.Node["spec"]?["selector"]))
        {
            errors.Add(FieldError.Invalid("spec.selector", obj["spec"]?["selector"]?.ToJsonString() ?? "null", "field is immutable"));
        }

        Throw(type, obj, errors);
    }

    private static void ValidateMetadata(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var metadata = obj["metadata"] as JsonObject;
        var name = metadata?["name"]?.ToString();
        var generateName = metadata?["generateName"]?.ToString();
        if (string.IsNullOrEmpty(name))
        {
            if (string.IsNullOrEmpty(generateName))
            {
                errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
            }
        }
        else
        {
            var problem = type == ResourceTypes.Namespaces || type == ResourceTypes.Services
                ? Names.CheckLabel(name)
                : Names.CheckSubdomain(name);
            if (problem is not null)
            {
                errors.Add(FieldError.Invalid("metadata.name", name, problem));
            }
        }

        foreach (var (key, value) in metadata?["labels"] as JsonObject ?? [])
        {
            if (Names.CheckQualifiedName(key) is { } keyProblem)
            {
                errors.Add(FieldError.Invalid("metadata.labels", key, keyProblem));
            }

            if (value is null || Names.CheckLabelValue(value.ToString()) is { } valueProblem)
            {
                errors.Add(FieldError.Invalid($"metadata.labels", value?.ToString() ?? "null", Names.LabelValueMessage));
            }
        }

        var annotationBytes = 0;
        foreach (var (key, value) in metadata?["annotations"] as JsonObject ?? [])
        {
            if (Names.CheckQualifiedName(key) is { } keyProblem)
            {
                errors.Add(FieldError.Invalid("metadata.annotations", key, keyProblem));
            }

            annotationBytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? string.Empty);
        }

        // The real server's limit on all annotations of an object together (TotalAnnotationSizeLimitB).
        if (annotationBytes > TotalAnnotationBytes)
        {
            errors.Add(FieldError.TooLong("metadata.annotations", TotalAnnotationBytes));
        }
    }

    private static void ValidateSpec(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var spec = obj["spec"] as JsonObject;
        if (type.IsCustom)
        {
            ValidateCustomResource(type, obj, errors);
        }
        else if (type == ResourceTypes.CustomResourceDefinitions)
        {
            ValidateDefinition(obj, errors);
        }
        else if (type == ResourceTypes.Pods)
        {
            ValidatePodSpec(spec, "spec", errors);
        }
        else if (type == ResourceTypes.Deployments || type == ResourceTypes.ReplicaSets
                 || type == ResourceTypes.StatefulSets || type == ResourceTypes.DaemonSets)
        {
            ValidateWorkload(spec, errors);
            if (type == ResourceTypes.Deployments)
            {
                var rollingUpdate = spec?["strategy"]?["rollingUpdate"];
                ValidateIntOrPercent(rollingUpdate?["maxUnavailable"], "spec.strategy.rollingUpdate.maxUnavailable", errors);
                ValidateIntOrPercent(rollingUpdate?["maxSurge"], "spec.strategy.rollingUpdate.maxSurge", errors, upTo100: false);
            }
        }
        else if (type == ResourceTypes.Jobs || type == ResourceTypes.CronJobs)
        {
            ValidateBatch(type, spec, errors);
        }
        else if (type == ResourceTypes.Nodes)
        {
            var taints = spec?["taints"] as JsonArray ?? [];
            for (var i = 0; i < taints.Count; i++)
            {
                var key = taints[i]?["key"]?.ToString();
                var effect = taints[i]?["effect"]?.ToString();
                if (string.IsNullOrEmpty(key))
                {
                    errors.Add(FieldError.Required($"spec.taints[{i}].key"));
                }

                if (string.IsNullOrEmpty(effect))
                {
                    errors.Add(FieldError.Required($"spec.taints[{i}].effect"));
                }
                else if (!TaintEffects.Contains(effect))
                {
                    errors.Add(FieldError.NotSupported($"spec.taints[{i}].effect", effect, TaintEffects));
                }
            }
        }
        else if (type == ResourceTypes.Services)
        {
            var ports = spec?["ports"] as JsonArray ?? [];
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i]?["port"] is null)
                {
                    errors.Add(FieldError.Required($"spec.ports[{i}].port"));
                }
            }
        }
        else if (type == ResourceTypes.PodDisruptionBudgets)
        {
            if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
            {
                errors.Add(FieldError.Invalid("spec", "minAvailable and maxUnavailable", "minAvailable and maxUnavailable cannot be both set"));
            }

            ValidateIntOrPercent(spec?["minAvailable"], "spec.minAvailable", errors);
            ValidateIntOrPercent(spec?["maxUnavailable"], "spec.maxUnavailable", errors);
        }
    }

    private static void ValidateWorkload(JsonObject? spec, List<FieldError> errors)
    {
        if (spec?["selector"] is not JsonObject selector)
        {
            errors.Add(FieldError.Required("spec.selector"));
            return;
        }

        if (spec["replicas"] is { } replicas && replicas.ToInt64() < 0)
        {
            errors.Add(FieldError.Invalid("spec.replicas", replicas.ToString(), "must be greater than or equal to 0"));
        }

        var labels = StoredObject.ReadMap(spec["template"]?["metadata"]?["labels"]);
        if (!SelectorMatcher.Matches(selector, labels))
        {
            errors.Add(FieldError.Invalid("spec.template.metadata.labels", FormatMap(labels), "`selector` does not match template `labels`"));
        }

        ValidatePodSpec(spec["template"]?["spec"] as JsonObject, "spec.template.spec", errors);
    }

    private static string FormatMap(IReadOnlyDictionary<string, string> map) =>
        "map[" + string.Join(" ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}")) + "]";

    private static void Throw(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            var name = obj["metadata"]?["name"]?.ToString();
            throw ApiException.Invalid(type, string.IsNullOrEmpty(name) ? obj["metadata"]?["generateName"]?.ToString() ?? string.Empty : name, errors);
        }
    }
}
