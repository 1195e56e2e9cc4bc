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
internal static class ObjectValidator
{
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

    /// <summary>Validates a change to <c>pods/ephemeralcontainers</c>: only that list may change, and only by appending.</summary>
    public static void ValidateEphemeralContainers(JsonObject pod, JsonObject current)
    {
        var errors = new List<FieldError>();
        var oldSpec = (JsonObject)current["spec"]!.DeepClone();
        var newSpec = (JsonObject)(pod["spec"]?.DeepClone() ?? new JsonObject());
        var oldEphemeral = oldSpec["ephemeralContainers"] as JsonArray ?? [];
        var newEphemeral = newSpec["ephemeralContainers"] as JsonArray ?? [];
        oldSpec.Remove("ephemeralContainers");
        newSpec.Remove("ephemeralContainers");
        if (!JsonNode.DeepEquals(oldSpec, newSpec))
        {
            errors.Add(FieldError.Forbidden("spec", "pod updates through the ephemeralcontainers subresource may only change spec.ephemeralContainers"));
        }

        foreach (var old in oldEphemeral)
        {
            var name = old?["name"]?.ToString();
            var match = newEphemeral.FirstOrDefault(c => c?["name"]?.ToString() == name);
            if (match is null)
            {
                errors.Add(FieldError.Forbidden("spec.ephemeralContainers", $"existing ephemeral containers \"{name}\" may not be removed"));
            }
            else if (!JsonNode.DeepEquals(old, match))
            {
                errors.Add(FieldError.Forbidden("spec.ephemeralContainers", $"existing ephemeral containers \"{name}\" may not be changed"));
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var c in current["spec"]?[list] as JsonArray ?? [])
            {
                names.Add(c?["name"]?.ToString() ?? string.Empty);
            }
        }

        var regular = (current["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.ToString()).ToHashSet();
        for (var i = 0; i < newEphemeral.Count; i++)
        {
            var path = $"spec.ephemeralContainers[{i}]";
            if (newEphemeral[i] is not JsonObject container)
            {
                errors.Add(FieldError.Required(path));
                continue;
            }

            var name = container["name"]?.ToString();
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required(path + ".name"));
            }
            else if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(path + ".name", name));
            }
            else if (Names.CheckLabel(name) is { } problem)
            {
                errors.Add(FieldError.Invalid(path + ".name", name, problem));
            }

            if (string.IsNullOrEmpty(container["image"]?.ToString()))
            {
                errors.Add(FieldError.Required(path + ".image"));
            }

            foreach (var forbidden in new[] { "ports", "resources", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resizePolicy", "restartPolicy" })
            {
                if (container[forbidden] is { } value && !IsEmpty(value))
                {
                    errors.Add(FieldError.Forbidden($"{path}.{forbidden}", $"cannot be set for an Ephemeral Container"));
                }
            }

            if (container["targetContainerName"]?.ToString() is { Length: > 0 } target && !regular.Contains(target))
            {
                errors.Add(new FieldError("FieldValueNotFound", path + ".targetContainerName", $"Not found: \"{target}\""));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(ResourceTypes.Pods, current["metadata"]!["name"]!.ToString(), errors);
        }
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

        foreach (var (key, _) in metadata?["annotations"] as JsonObject ?? [])
        {
            if (Names.CheckQualifiedName(key) is { } keyProblem)
            {
                errors.Add(FieldError.Invalid("metadata.annotations", key, keyProblem));
            }
        }
    }

    private static void ValidateSpec(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var spec = obj["spec"] as JsonObject;
        if (type == ResourceTypes.Pods)
        {
            ValidatePodSpec(spec, "spec", errors);
        }
        else if (type == ResourceTypes.Deployments || type == ResourceTypes.ReplicaSets
                 || type == ResourceTypes.StatefulSets || type == ResourceTypes.DaemonSets)
        {
            ValidateWorkload(spec, errors);
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

    private static void ValidatePodSpec(JsonObject? spec, string path, List<FieldError> errors)
    {
        var containers = spec?["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required(path + ".containers"));
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in new[] { "initContainers", "containers" })
        {
            var items = spec![list] as JsonArray ?? [];
            for (var i = 0; i < items.Count; i++)
            {
                var at = $"{path}.{list}[{i}]";
                var name = items[i]?["name"]?.ToString();
                if (string.IsNullOrEmpty(name))
                {
                    errors.Add(FieldError.Required(at + ".name"));
                }
                else if (Names.CheckLabel(name) is { } problem)
                {
                    errors.Add(FieldError.Invalid(at + ".name", name, problem));
                }
                else if (!names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at + ".name", name));
                }

                if (string.IsNullOrEmpty(items[i]?["image"]?.ToString()))
                {
                    errors.Add(FieldError.Required(at + ".image"));
                }
            }
        }
    }

    private static void ValidatePodUpdate(JsonObject pod, JsonNode current, List<FieldError> errors)
    {
        static JsonNode? Normalize(JsonNode? spec)
        {
            if (spec?.DeepClone() is not JsonObject copy)
            {
                return null;
            }

            foreach (var list in new[] { "containers", "initContainers" })
            {
                foreach (var container in copy[list] as JsonArray ?? [])
                {
                    container?.AsObject().Remove("image");
                }
            }

            copy.Remove("activeDeadlineSeconds");
            copy.Remove("tolerations");
            copy.Remove("terminationGracePeriodSeconds");
            return copy;
        }

        if (!JsonNode.DeepEquals(Normalize(pod["spec"]), Normalize(current["spec"])))
        {
            errors.Add(FieldError.Forbidden(
                "spec",
                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
        }
    }

    private static bool IsEmpty(JsonNode node) => node is JsonObject { Count: 0 } or JsonArray { Count: 0 };

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
