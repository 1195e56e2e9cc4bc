using k8s;
using k8s.Models;

namespace Chaos.Testing.K3s;

/// <summary>What a starting K3s still waits for, and why image pulls fail, read from the cluster (untrusted input: only shown).</summary>
internal static class K3sStartup
{
    private const int MaxMessage = 300;

    /// <summary>What is not Ready yet (nodes, then CoreDNS, naming failing image pulls in kube-system), or null when all is.</summary>
    /// <param name="client">The cluster.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>What it waits for, or null.</returns>
    public static async Task<string?> WhatIsNotReadyAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items;
        if (nodes.Count == 0)
        {
            return "a node to register";
        }

        var notReady = nodes.Where(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true).Select(n => n.Metadata.Name).ToList();
        if (notReady.Count > 0)
        {
            return $"node(s) {string.Join(", ", notReady)} to be Ready";
        }

        var coredns = (await client.AppsV1.ListNamespacedDeploymentAsync("kube-system", fieldSelector: "metadata.name=coredns", cancellationToken: cancellationToken)).Items.FirstOrDefault();
        var waiting = coredns is null
            ? "deployment kube-system/coredns to be created"
            : (coredns.Status?.AvailableReplicas ?? 0) >= 1 ? null : $"deployment kube-system/coredns to be available ({coredns.Status?.AvailableReplicas ?? 0}/{coredns.Spec.Replicas ?? 1})";
        if (waiting is null)
        {
            return null;
        }

        var pods = (await client.CoreV1.ListNamespacedPodAsync("kube-system", cancellationToken: cancellationToken)).Items;
        return PullFailures(pods) is { } pulls ? $"{waiting}, but {pulls}" : waiting;
    }

    /// <summary>
    /// The containers of <paramref name="pods"/> that wait because their image cannot be pulled, with the kubelet's words,
    /// and what to do; null when none does.
    /// </summary>
    /// <param name="pods">The pods (kube-system's at startup).</param>
    /// <returns>The sentence, or null.</returns>
    public static string? PullFailures(IEnumerable<V1Pod> pods)
    {
        var failures = new List<string>();
        foreach (var pod in pods)
        {
            foreach (var status in (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []))
            {
                if (status.State?.Waiting is { Reason: "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" } waiting)
                {
                    var message = waiting.Message ?? string.Empty;
                    message = message.Length > MaxMessage ? message[..MaxMessage] + "..." : message;
                    failures.Add($"{pod.Metadata.Name}: image {status.Image} ({waiting.Reason}{(message.Length == 0 ? string.Empty : ": " + message)})");
                }
            }
        }

        return failures.Count == 0
            ? null
            : $"image pulls fail in kube-system: {string.Join("; ", failures)}. K3s' own containerd pulls these, anonymously and without the test process's proxy: "
              + "set K3sChaosClusterOptions.HttpProxy/HttpsProxy (HTTP_PROXY/HTTPS_PROXY), a RegistriesYaml with a mirror or credentials, or preload the K3s air-gap tarball with ImageTarballs";
    }

    /// <summary>
    /// Pulls each of <paramref name="images"/> that K3s does not have yet, one after the other, all within
    /// <paramref name="timeout"/>; on timeout the error names the image still pulling and those already there.
    /// </summary>
    /// <param name="images">The images.</param>
    /// <param name="exec">Runs a command in the K3s container: exit code and output.</param>
    /// <param name="timeout">The time for all of them.</param>
    /// <param name="cancellationToken">Cancels the pulls.</param>
    /// <returns>A task that completes when every image is there.</returns>
    public static async Task PrePullAsync(IReadOnlyList<string> images, Func<IList<string>, CancellationToken, Task<(long ExitCode, string Output)>> exec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var done = new List<string>();
        foreach (var image in images.Distinct(StringComparer.Ordinal))
        {
            (long ExitCode, string Output) result;
            try
            {
                result = await exec(PullCommand(image), deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"K3s was Ready, but the image {image} was still pulling when K3sChaosClusterOptions.PrePullTimeout ({timeout.TotalSeconds:0}s) ran out"
                    + $" (there already: {(done.Count == 0 ? "none" : string.Join(", ", done))}); raise PrePullTimeout on a slow link, or preload it with ImageTarballs");
            }

            if (result.ExitCode != 0)
            {
                var output = result.Output.Trim();
                throw new InvalidOperationException(
                    $"K3s could not pull the image {image} (exit {result.ExitCode}: {(output.Length > MaxMessage ? output[..MaxMessage] + "..." : output)}); "
                    + "K3s' containerd pulls it, without the host's docker login or proxy: set HttpProxy/HttpsProxy, a RegistriesYaml, or preload it with ImageTarballs");
            }

            done.Add(image);
        }
    }

    /// <summary>The command that pulls <paramref name="image"/> into K3s' containerd unless it is there (no shell: the image is one argument).</summary>
    /// <param name="image">The image.</param>
    /// <returns>The command.</returns>
    public static IList<string> PullCommand(string image) =>
        ["sh", "-c", "k3s crictl inspecti -q \"$1\" >/dev/null 2>&1 || k3s crictl pull \"$1\"", "pre-pull", image];
}
