using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Validation;

/// <content>
/// Pods: container lists, the few fields a pod update may change, and the ephemeral containers that chaos payloads
/// are added as (append-only, through their own subresource).
/// </content>
internal static partial class ObjectValidator
{
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
}
