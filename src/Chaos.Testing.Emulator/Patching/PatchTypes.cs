namespace Chaos.Testing.Emulator.Patching;

/// <summary>The PATCH media types and their mapping to <see cref="PatchKind"/>.</summary>
internal static class PatchTypes
{
    /// <summary>RFC 6902 JSON Patch.</summary>
    public const string JsonPatch = "application/json-patch+json";

    /// <summary>RFC 7386 JSON Merge Patch.</summary>
    public const string MergePatch = "application/merge-patch+json";

    /// <summary>Kubernetes strategic merge patch.</summary>
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";

    /// <summary>Kubernetes server-side apply.</summary>
    public const string ApplyPatch = "application/apply-patch+yaml";

    /// <summary>
    /// Maps a <c>Content-Type</c> header value to a patch kind. Parameters such as <c>charset</c> are ignored
    /// and the media type is compared case-insensitively.
    /// </summary>
    /// <param name="contentType">The raw header value; may be null.</param>
    /// <returns>The patch kind, or null when the media type is not a PATCH media type.</returns>
    public static PatchKind? Parse(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var separator = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (separator >= 0 ? contentType[..separator] : contentType).Trim();

        if (string.Equals(mediaType, JsonPatch, StringComparison.OrdinalIgnoreCase))
        {
            return PatchKind.Json;
        }

        if (string.Equals(mediaType, MergePatch, StringComparison.OrdinalIgnoreCase))
        {
            return PatchKind.Merge;
        }

        if (string.Equals(mediaType, StrategicMergePatch, StringComparison.OrdinalIgnoreCase))
        {
            return PatchKind.StrategicMerge;
        }

        if (string.Equals(mediaType, ApplyPatch, StringComparison.OrdinalIgnoreCase))
        {
            return PatchKind.Apply;
        }

        return null;
    }
}
