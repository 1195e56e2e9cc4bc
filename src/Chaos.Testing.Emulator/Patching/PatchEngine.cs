using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>Dispatches a PATCH request body to the matching patch implementation.</summary>
internal static class PatchEngine
{
    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="target"/> using the given patch flavour.
    /// The inputs are never mutated.
    /// </summary>
    /// <param name="patchKind">The patch flavour, usually from <see cref="PatchTypes.Parse"/>.</param>
    /// <param name="target">The current object.</param>
    /// <param name="patch">The patch document.</param>
    /// <param name="kind">The Kubernetes kind of the target (e.g. <c>Pod</c>); used by strategic merge patch.</param>
    /// <returns>The patched document.</returns>
    /// <exception cref="PatchException">The patch is malformed, cannot be applied, or is not supported.</exception>
    public static JsonNode? Apply(PatchKind patchKind, JsonNode? target, JsonNode patch, string kind) => patchKind switch
    {
        PatchKind.Json => JsonPatch.Apply(target, patch),
        PatchKind.Merge => MergePatch.Apply(target, patch),
        PatchKind.StrategicMerge => StrategicMergePatch.Apply(target, patch, kind),
        PatchKind.Apply => throw new PatchException(
            "server-side apply is not supported by the emulator; use a merge or strategic merge patch"),
        _ => throw new PatchException($"unsupported patch kind '{patchKind}'"),
    };
}
