using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Checks, before any write, that the cluster and the namespace allow the payload's container.</summary>
internal static class PayloadPreflight
{
    /// <summary>Capabilities the Pod Security "baseline" level allows to add (Kubernetes docs, Pod Security Standards).</summary>
    private static readonly HashSet<string> BaselineCapabilities = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    };

    public const string EnforceLabel = "pod-security.kubernetes.io/enforce";

    /// <summary>Refuses when the API server does not serve <c>pods/ephemeralcontainers</c> (Kubernetes before 1.23, or disabled).</summary>
    public static async Task CheckEphemeralContainersAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var resources = await context.Api.CallAsync("get", "api/v1 discovery", null, ct => context.Client.CoreV1.GetAPIResourcesAsync(ct), cancellationToken);
        if (resources.Resources.All(r => r.Name != "pods/ephemeralcontainers"))
        {
            throw new ChaosRefusedException(
                "This cluster does not serve pods/ephemeralcontainers (Kubernetes 1.25+ has it on by default), and the payload runs in an ephemeral container. "
                + "Upgrade the cluster or enable the EphemeralContainers feature. Nothing was changed.");
        }
    }

    /// <summary>Refuses when the namespace's Pod Security level forbids what the payload container needs.</summary>
    public static void CheckPodSecurity(V1Namespace ns, PayloadContainer container, string verb)
    {
        string? level = null;
        ns.Metadata.Labels?.TryGetValue(EnforceLabel, out level);
        var name = ns.Metadata.Name;
        if (level == "restricted")
        {
            throw new ChaosRefusedException(
                $"Namespace \"{name}\" enforces Pod Security \"restricted\" ({EnforceLabel}=restricted), which forbids the root payload container of {verb}"
                + (container.Capabilities.Count > 0 ? $" and the capabilities it adds ({string.Join(", ", container.Capabilities)})" : string.Empty)
                + ". Run the experiment in a namespace labelled baseline or privileged (a test namespace), or relax the label there. Nothing was changed.");
        }

        if (level == "baseline" && container.Capabilities.FirstOrDefault(c => !BaselineCapabilities.Contains(c)) is { } forbidden)
        {
            throw new ChaosRefusedException(
                $"Namespace \"{name}\" enforces Pod Security \"baseline\" ({EnforceLabel}=baseline), which forbids adding the {forbidden} capability that {verb} needs. "
                + $"Label the namespace {EnforceLabel}=privileged for the test, or target another namespace. Nothing was changed.");
        }
    }
}
