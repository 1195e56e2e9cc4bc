using k8s;
using k8s.Models;

namespace Chaos.Testing.K3s;

/// <summary>
/// Whether a netem qdisc can be added in a pod, found by trying it: a short-lived pod with the payload image and
/// NET_ADMIN adds a netem qdisc on its own <c>eth0</c> and deletes it again. The kernel loads <c>sch_netem</c> by itself
/// on first use, so looking for the module (<c>/proc/modules</c>, <c>/lib/modules</c>) reports a loadable module as missing.
/// </summary>
internal static class NetemProbe
{
    /// <summary>The probe's script: add, then delete, a netem qdisc; each failure exits non-zero with tc's own words.</summary>
    public const string Script =
        "tc qdisc add dev eth0 root netem delay 1ms || { echo 'chaos: netem probe: tc qdisc add dev eth0 root netem delay 1ms failed' >&2; exit 1; }\n"
        + "tc qdisc del dev eth0 root || { echo 'chaos: netem probe: tc qdisc del dev eth0 root failed' >&2; exit 2; }\n"
        + "echo 'chaos: netem works'\n";

    private const int MaxLog = 400;

    /// <summary>The probe pod: the image, NET_ADMIN only, never restarted, never left behind for long.</summary>
    /// <param name="name">The pod's name.</param>
    /// <param name="image">The image (needs <c>sh</c> and <c>tc</c>).</param>
    /// <returns>The pod.</returns>
    public static V1Pod Pod(string name, string image) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["chaos-testing"] = "netem-probe" } },
        Spec = new V1PodSpec
        {
            RestartPolicy = "Never",
            TerminationGracePeriodSeconds = 0,
            AutomountServiceAccountToken = false,
            Containers =
            [
                new V1Container
                {
                    Name = "probe",
                    Image = image,
                    ImagePullPolicy = "IfNotPresent",
                    Command = ["sh", "-c", Script],
                    SecurityContext = new V1SecurityContext
                    {
                        Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_ADMIN"] },
                        AllowPrivilegeEscalation = false,
                    },
                },
            ],
        },
    };

    /// <summary>
    /// The verdict on the probe pod as last read: null while it has not ended, empty when netem works, else the problem
    /// with the probe's own words (<paramref name="log"/>) and the fix.
    /// </summary>
    /// <param name="pod">The probe pod as read from the cluster.</param>
    /// <param name="log">Its log (read once it ended), or null.</param>
    /// <returns>Null, empty, or the problem.</returns>
    public static string? Verdict(V1Pod pod, string? log)
    {
        var phase = pod.Status?.Phase;
        if (phase == "Succeeded")
        {
            return string.Empty;
        }

        if (phase != "Failed")
        {
            return null;
        }

        var exit = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated?.ExitCode;
        var words = (log ?? string.Empty).Trim();
        words = words.Length > MaxLog ? words[..MaxLog] + "..." : words;
        return $"a netem qdisc cannot be added in a pod here: the probe pod ({pod.Spec.Containers[0].Image}, NET_ADMIN) exited {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} saying: {(words.Length == 0 ? "(nothing)" : words)}; "
            + "network delay, corruption and duplication faults need sch_netem in the Docker host's kernel (loss falls back to iptables): run `sudo modprobe sch_netem` on the Docker host "
            + "(on Ubuntu it ships in linux-modules-extra-$(uname -r); WSL2/Docker Desktop kernels may not have it)";
    }

    /// <summary>Why a probe pod that never ended did not: its waiting reason (an image still pulling, or not pullable).</summary>
    /// <param name="pod">The probe pod as last read, or null.</param>
    /// <param name="timeout">How long it was given.</param>
    /// <returns>The problem.</returns>
    public static string NotEnded(V1Pod? pod, TimeSpan timeout)
    {
        var waiting = pod?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting;
        var image = pod?.Spec.Containers[0].Image;
        return $"the netem probe pod did not finish within {timeout.TotalSeconds:0}s (phase {pod?.Status?.Phase ?? "unknown"}"
            + (waiting is null ? string.Empty : $", waiting: {waiting.Reason} {waiting.Message}".TrimEnd())
            + $"); its image {image} may still be pulling or not be pullable: pre-pull it (K3sChaosClusterOptions.PrePullImages) or preload it (ImageTarballs)";
    }

    /// <summary>Runs the probe in <paramref name="ns"/>: creates the pod, waits for it to end, reads its log, deletes it.</summary>
    /// <param name="client">The cluster.</param>
    /// <param name="ns">An existing namespace.</param>
    /// <param name="image">The probe image.</param>
    /// <param name="timeout">How long the pod may take, its image pull included.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>Empty when netem works, else the problem.</returns>
    public static async Task<string> RunAsync(IKubernetes client, string ns, string image, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = $"chaos-netem-probe-{Guid.NewGuid():N}"[..40];
        await client.CoreV1.CreateNamespacedPodAsync(Pod(name, image), ns, cancellationToken: cancellationToken);
        try
        {
            var deadline = time.GetUtcNow() + timeout;
            V1Pod? pod = null;
            while (time.GetUtcNow() < deadline)
            {
                pod = await client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken);
                var ended = pod.Status?.Phase is "Succeeded" or "Failed";
                string? log = null;
                if (ended && pod.Status?.Phase == "Failed")
                {
                    using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(name, ns, cancellationToken: cancellationToken);
                    using var reader = new StreamReader(stream);
                    log = await reader.ReadToEndAsync(cancellationToken);
                }

                if (Verdict(pod, log) is { } verdict)
                {
                    return verdict;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }

            return NotEnded(pod, timeout);
        }
        finally
        {
            await client.CoreV1.DeleteNamespacedPodAsync(name, ns, gracePeriodSeconds: 0, cancellationToken: CancellationToken.None);
        }
    }
}
