using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The operator's namespace markers, honoured before the engine's own guards (which already refuse names like
/// <c>prod-*</c> and the labels <c>environment=production</c>, <c>env=prod</c>): <c>chaos.gushchin.dev/exclude=true</c>
/// (label or annotation) and <c>chaos.gushchin.dev/production=true</c>. Pods carrying the exclusion label are left out
/// by the target (<see cref="ManifestActions.Build"/>).
/// </summary>
internal static class ManifestGuard
{
    /// <summary>Why the manifest's namespace must not be touched, or null; a missing namespace is left to the engine to report.</summary>
    public static async Task<string?> RefusalAsync(IKubernetes client, ChaosManifestSpec spec, CancellationToken cancellationToken)
    {
        V1Namespace ns;
        try
        {
            ns = await client.CoreV1.ReadNamespaceAsync(spec.Namespace, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        var excluded = Marked(ns.Metadata.Labels, ManifestActions.OperatorExclusionLabel) || Marked(ns.Metadata.Annotations, ManifestActions.OperatorExclusionLabel);
        if (excluded)
        {
            return $"Refusing to touch namespace \"{spec.Namespace}\": it is marked {ManifestActions.OperatorExclusionLabel}=true (the operator's exclusion). Nothing was changed.";
        }

        if (!spec.AllowProduction && Marked(ns.Metadata.Annotations, ManifestActions.OperatorProductionAnnotation))
        {
            return $"Refusing to touch namespace \"{spec.Namespace}\": it is annotated {ManifestActions.OperatorProductionAnnotation}=true, so it is production. "
                + "Set allowProduction: true in the manifest if this is intended. Nothing was changed.";
        }

        return null;
    }

    private static bool Marked(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) && value == "true";
}
