using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Ephemeral-container plumbing shared by payload faults and the janitor: add a container, wait for its state, and
/// recover a pod from its ledger entry (payload ended → nothing left; still running → cleanup container, wait, done).
/// </summary>
internal static class PayloadRecovery
{
    /// <summary>How long a payload outside the target's PID namespace may take to end after its cleanup deleted its marker.</summary>
    internal static readonly TimeSpan PayloadEndTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Adds <paramref name="container"/> unless the pod already has one of that name (idempotent; 409 → re-read, add again).</summary>
    public static async Task AddEphemeralContainerAsync(IKubernetes client, ApiCalls api, string ns, string podName, V1EphemeralContainer container, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var pod = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
            if (pod.Spec.EphemeralContainers?.Any(c => c.Name == container.Name) == true)
            {
                return;
            }

            pod.Spec.EphemeralContainers ??= [];
            pod.Spec.EphemeralContainers.Add(container);
            try
            {
                await api.CallAsync("update", "pods/ephemeralcontainers", ns, ct => client.CoreV1.ReplaceNamespacedPodEphemeralcontainersAsync(pod, podName, ns, cancellationToken: ct), cancellationToken);
                return;
            }
            catch (Exception ex) when (ApiCalls.IsConflict(ex) && attempt < ObjectWrites.MaxConflicts)
            {
            }
        }
    }

    /// <summary>Waits until container <paramref name="name"/> runs (<paramref name="running"/>) or has terminated; fails on a payload that cannot start, or exits non-zero unless <paramref name="returnFailure"/> (then the caller reports the exit).</summary>
    public static async Task<V1ContainerState> WaitForContainerAsync(IKubernetes client, ApiCalls api, TimeProvider time, string ns, string podName, string name, bool running, TimeSpan timeout, CancellationToken cancellationToken, bool returnFailure = false)
    {
        var deadline = time.GetUtcNow() + timeout;
        var delay = TimeSpan.FromMilliseconds(20);
        string last = "no status yet";
        while (true)
        {
            var pod = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
            var state = pod.Status?.EphemeralContainerStatuses?.FirstOrDefault(s => s.Name == name)?.State;
            if (state?.Terminated is { } ended)
            {
                if (ended.ExitCode != 0 && !returnFailure)
                {
                    throw new InvalidOperationException(
                        $"ephemeral container {name} in pod {ns}/{podName} exited {ended.ExitCode} ({ended.Reason}{(string.IsNullOrEmpty(ended.Message) ? string.Empty : $": {ended.Message}")}); "
                        + $"see kubectl logs -n {ns} {podName} -c {name}");
                }

                return state;
            }

            if (state?.Running is not null && running)
            {
                return state;
            }

            if (state?.Waiting is { } waiting)
            {
                last = $"waiting: {waiting.Reason} {waiting.Message}".Trim();
                if (waiting.Reason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "CreateContainerError" or "CreateContainerConfigError")
                {
                    throw new InvalidOperationException($"ephemeral container {name} in pod {ns}/{podName} cannot start ({last}); check the Image option, or preload the image");
                }
            }
            else if (state?.Running is not null)
            {
                last = "running";
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException(TimeoutMessage(pod, name, running, timeout, last));
            }

            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>The timeout of <see cref="WaitForContainerAsync"/>: names the image, which may still be pulling while the container has not started.</summary>
    internal static string TimeoutMessage(V1Pod pod, string name, bool running, TimeSpan timeout, string last)
    {
        var image = pod.Spec?.EphemeralContainers?.FirstOrDefault(c => c.Name == name)?.Image ?? "(unknown)";
        var started = pod.Status?.EphemeralContainerStatuses?.FirstOrDefault(s => s.Name == name)?.State is { Running: not null } or { Terminated: not null };
        return $"ephemeral container {name} in pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} did not {(running ? "start" : "finish")} within {timeout.TotalSeconds:0}s (last seen: {last}; image {image})"
            + (started ? string.Empty : $": the image {image} may still be pulling on the node; raise the fault's StartTimeout/CleanupTimeout option, or pre-pull or preload the image");
    }

    /// <summary>
    /// Recovers one pod from the payload ledger entry of <paramref name="experimentId"/>; returns what was done, or null
    /// when there was nothing (no entry, pod gone). Throws when the fault may still be in place (the entry then stays).
    /// <paramref name="plan"/> gives the cleanup from the entry: the live run ignores the entry and answers from memory
    /// (what it injected), the janitor reads and validates the entry's typed record.
    /// </summary>
    public static async Task<string?> RecoverPodAsync(
        IKubernetes client, ApiCalls api, TimeProvider time, string ns, string podName, string experimentId, LedgerKey key, Func<LedgerEntry, PodCleanupPlan> plan, CancellationToken cancellationToken)
    {
        V1Pod pod;
        try
        {
            pod = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return null;
        }

        if (Ledger.EntryOf(pod.Metadata, experimentId, key) is not { } entry)
        {
            return null;
        }

        var cleanup = plan(entry);
        var name = PodPayloadFault.ContainerName(cleanup.Fault, experimentId);
        var state = pod.Status?.EphemeralContainerStatuses?.FirstOrDefault(s => s.Name == name)?.State;
        string action;
        if (state?.Terminated is { ExitCode: 0 } || (cleanup.Profile.OneShot && state?.Terminated is { ExitCode: 137 }))
        {
            action = $"payload {name} had ended and removed the fault";
        }
        else
        {
            // Still holding (or never started, or killed): a short container stops it, removes the fault and checks.
            var cleanupName = await PodCleanupRun.RunAsync(client, api, time, pod, name, experimentId, cleanup, cleanup.CleanupTimeout, cancellationToken);
            if (!cleanup.Profile.SharesTargetProcesses && !cleanup.Profile.OneShot)
            {
                // The cleanup could not see the payload (another PID namespace): it deleted its marker, so the payload ends by itself.
                await WaitForPayloadEndAsync(client, api, time, ns, podName, name, cleanupName, cancellationToken);
            }

            action = $"payload {name} stopped early by {cleanupName}, fault removed (verified)";
        }

        await LedgerWrites.RemoveEntryAsync(client, api, time, pod, experimentId, cancellationToken);
        return action;
    }

    /// <summary>
    /// Waits until the payload container no longer runs (<see cref="PayloadEndTimeout"/> at most): a payload that
    /// still runs after its marker was deleted is reported, and its ledger entry stays, rather than called stopped.
    /// </summary>
    private static async Task WaitForPayloadEndAsync(IKubernetes client, ApiCalls api, TimeProvider time, string ns, string podName, string name, string cleanupName, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + PayloadEndTimeout;
        while (true)
        {
            V1Pod pod;
            try
            {
                pod = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                return;
            }

            // Not running: ended, or never started (then it holds nothing).
            if (pod.Status?.EphemeralContainerStatuses?.FirstOrDefault(s => s.Name == name)?.State?.Running is null)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException(
                    $"payload {name} in pod {ns}/{podName} still runs {PayloadEndTimeout.TotalSeconds:0}s after {cleanupName} removed its fault and its marker rule "
                    + $"(it should end within about 2 s; see kubectl logs -n {ns} {podName} -c {name}); the ledger entry stays");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }
}
