using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>
/// What the control plane puts into every namespace, as on a real cluster (the <c>kube-root-ca.crt</c> ConfigMap), left
/// out where a test counts only its own objects.
/// </summary>
public static class SystemObjects
{
    public const string RootCaConfigMap = "kube-root-ca.crt";

    public static List<V1ConfigMap> Own(this IEnumerable<V1ConfigMap> items) => items.Where(c => c.Metadata.Name != RootCaConfigMap).ToList();
}
