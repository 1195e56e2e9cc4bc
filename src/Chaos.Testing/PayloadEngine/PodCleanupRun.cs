using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Runs a pod payload's cleanup container: a fresh name per attempt (ephemeral containers can be neither removed nor
/// re-run, so a fixed name would silently reuse the first attempt), its exit read back (non-zero: the script names what
/// is left), and an image that cannot be pulled reported with the image and the reason, then tried again afresh.
/// </summary>
internal static class PodCleanupRun
{
    /// <summary>How many cleanup containers one recovery adds at most when their image cannot be pulled.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Runs the cleanup until it exits 0; returns the name of the container that did. Throws naming the leftovers or the image problem.</summary>
    public static async Task<string> RunAsync(
        IKubernetes client, ApiCalls api, TimeProvider time, V1Pod pod, string payload, string experimentId, PodCleanupPlan plan, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var script = PayloadCleanup.Render(experimentId, PodPayloadFault.CleanupTargets(plan.Record, plan.Profile, experimentId));
        var container = new PayloadContainer
        {
            Image = plan.Image,
            TargetContainer = plan.Record.Target,
            Capabilities = plan.Profile.Capabilities,
            VolumeMounts = plan.Record.Volume is { } volume ? new Dictionary<string, string> { [volume] = PayloadProfile.VolumeMount } : new Dictionary<string, string>(),
        };
        var failures = new List<string>();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var current = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, ns, cancellationToken: ct), cancellationToken);
            var name = NextName(current, payload);
            var cleanup = PodPayloadFault.NewContainer(name, container, plan.Profile, current, ["sh", "-c", script, "chaos-cleanup"], [new V1EnvVar { Name = PayloadProtocol.StopsVariable, Value = payload }]);
            await PayloadRecovery.AddEphemeralContainerAsync(client, api, ns, pod.Metadata.Name, cleanup, cancellationToken);
            var outcome = await WaitAsync(client, api, time, ns, pod.Metadata.Name, name, timeout, cancellationToken);
            if (outcome.Terminated is { ExitCode: 0 })
            {
                return name;
            }

            if (outcome.Terminated is { } ended)
            {
                throw new InvalidOperationException(
                    $"cleanup container {name} in pod {ns}/{pod.Metadata.Name} exited {ended.ExitCode}: {(string.IsNullOrWhiteSpace(ended.Message) ? ended.Reason : ended.Message.Trim())}; "
                    + "the fault may still be in place, so the ledger entry stays for the janitor");
            }

            failures.Add($"{name}: image \"{plan.Image}\" {outcome.PullFailure}");
        }

        throw new InvalidOperationException(
            $"no cleanup container could start in pod {ns}/{pod.Metadata.Name} after {MaxAttempts} attempts ({string.Join("; ", failures)}); "
            + "make the image pullable from the node (or preload it), or set SweepOptions.PayloadImages for the janitor. The ledger entry stays.");
    }

    /// <summary><c>&lt;payload&gt;-cleanup-&lt;n&gt;</c>, n one more than the highest the pod has: never a name already used.</summary>
    public static string NextName(V1Pod pod, string payload)
    {
        var prefix = payload + "-cleanup-";
        var used = (pod.Spec.EphemeralContainers ?? [])
            .Select(c => c.Name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(c.Name.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(0)
            .Max();
        var name = prefix + (used + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name.Length <= 63 ? name : throw new InvalidOperationException($"cleanup container name {name} is longer than Kubernetes' 63 characters");
    }

    private static async Task<(V1ContainerStateTerminated? Terminated, string? PullFailure)> WaitAsync(
        IKubernetes client, ApiCalls api, TimeProvider time, string ns, string podName, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var last = "no status yet";
        while (true)
        {
            var pod = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
            var state = pod.Status?.EphemeralContainerStatuses?.FirstOrDefault(s => s.Name == name)?.State;
            if (state?.Terminated is { } ended)
            {
                return (ended, null);
            }

            if (state?.Waiting is { Reason: "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" } waiting)
            {
                return (null, $"{waiting.Reason}{(string.IsNullOrEmpty(waiting.Message) ? string.Empty : $": {waiting.Message}")}");
            }

            last = state?.Waiting is { } w ? $"waiting: {w.Reason} {w.Message}".Trim() : state?.Running is not null ? "running" : last;
            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"cleanup container {name} in pod {ns}/{podName} did not finish within {timeout.TotalSeconds:0}s (last seen: {last}); the ledger entry stays");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }
}
