namespace Chaos.Testing.Emulator.Patching;

/// <summary>The PATCH flavours the Kubernetes API accepts, selected by the request content type.</summary>
internal enum PatchKind
{
    /// <summary>RFC 6902 JSON Patch (<c>application/json-patch+json</c>).</summary>
    Json,

    /// <summary>RFC 7386 JSON Merge Patch (<c>application/merge-patch+json</c>).</summary>
    Merge,

    /// <summary>Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>).</summary>
    StrategicMerge,

    /// <summary>Server-side apply (<c>application/apply-patch+yaml</c>).</summary>
    Apply,
}
