using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>
/// A running payload container is not yet an injected fault: its script may still be installing it, or about to fail
/// (a missing tool, a kernel without sch_netem). The payload prints <see cref="PayloadProtocol.InstalledMarker"/> once the fault is in place
/// (<see cref="PayloadScript"/>); this waits for that line in the container's log, and reports the payload's own
/// words when it exits instead.
/// </summary>
internal static class PayloadInstalled
{
    /// <summary>
    /// Waits until container <paramref name="container"/> of pod <paramref name="ns"/>/<paramref name="podName"/> has
    /// printed <see cref="PayloadProtocol.InstalledMarker"/>, or has ended with exit code 0 (a payload whose hold was shorter than a poll).
    /// Throws when it exits non-zero (with its last log lines) or stays silent past <paramref name="timeout"/>. Where the
    /// identity may not read <c>pods/log</c>, a running container is taken as installed and a warning says so.
    /// </summary>
    /// <param name="context">The run.</param>
    /// <param name="ns">The pod's namespace.</param>
    /// <param name="podName">The pod.</param>
    /// <param name="container">The payload container.</param>
    /// <param name="ephemeral">Whether it is an ephemeral container (else a regular one of a payload pod).</param>
    /// <param name="oneShot">Whether the payload acts once and may die with the PID namespace it signalled (exit 137 is its success too).</param>
    /// <param name="timeout">How long to wait for the marker.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task WaitAsync(FaultContext context, string ns, string podName, string container, bool ephemeral, bool oneShot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = context.Time.GetUtcNow() + timeout;
        var delay = TimeSpan.FromMilliseconds(20);
        var log = string.Empty;
        while (true)
        {
            var pod = await context.Api.CallAsync("get", "pods", ns, ct => context.Client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
            var statuses = ephemeral ? pod.Status?.EphemeralContainerStatuses : pod.Status?.ContainerStatuses;
            var state = statuses?.FirstOrDefault(s => s.Name == container)?.State;
            if (state?.Running is not null || state?.Terminated is not null)
            {
                try
                {
                    log = await ReadLogAsync(context, ns, podName, container, cancellationToken);
                }
                catch (ChaosRefusedException)
                {
                    if (state.Terminated is null or { ExitCode: 0 })
                    {
                        context.Logger.LogWarning(
                            ChaosLogEvents.PayloadLogUnreadable,
                            "Cannot read the log of payload {Container} in pod {Namespace}/{Pod} (pods/log is forbidden to this identity): taking the running container as installed. Grant 'get' on 'pods/log' so a payload that fails to install is reported.",
                            container, ns, podName);
                        return;
                    }
                }

                if (log.Contains(PayloadProtocol.InstalledMarker, StringComparison.Ordinal))
                {
                    return;
                }

                if (state.Terminated is { } ended)
                {
                    if (ended.ExitCode == 0 || (oneShot && ended.ExitCode == 137))
                    {
                        return;
                    }

                    var words = LastLines(string.IsNullOrWhiteSpace(log) ? ended.Message : log);
                    throw new InvalidOperationException(
                        $"payload {container} in pod {ns}/{podName} could not install the fault: it exited {ended.ExitCode} ({ended.Reason})"
                        + (words.Length > 0 ? $" saying: {words}" : string.Empty)
                        + $"; see kubectl logs -n {ns} {podName} -c {container}");
                }
            }

            if (context.Time.GetUtcNow() >= deadline)
            {
                var words = LastLines(log);
                throw new TimeoutException(
                    $"payload {container} in pod {ns}/{podName} runs but did not report the fault installed ('{PayloadProtocol.InstalledMarker}') within {timeout.TotalSeconds:0}s"
                    + (words.Length > 0 ? $"; its last log lines: {words}" : "; its log is empty"));
            }

            await Task.Delay(delay, context.Time, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    private static async Task<string> ReadLogAsync(FaultContext context, string ns, string podName, string container, CancellationToken cancellationToken)
    {
        try
        {
            return await context.Api.CallAsync("get", "pods/log", ns, async ct =>
            {
                using var stream = await context.Client.CoreV1.ReadNamespacedPodLogAsync(podName, ns, container: container, limitBytes: 64 * 1024, cancellationToken: ct);
                using var reader = new StreamReader(stream);
                return await reader.ReadToEndAsync(ct);
            }, cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsStatus(ex, HttpStatusCode.BadRequest) || ApiCalls.IsNotFound(ex))
        {
            // "waiting to start" between the status read and the log read, or the log not there yet: look again.
            return string.Empty;
        }
    }

    private static string LastLines(string? text)
    {
        var lines = (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(5));
    }
}
