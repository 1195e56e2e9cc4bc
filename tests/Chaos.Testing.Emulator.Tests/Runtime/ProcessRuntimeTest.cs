using System.Text;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>A test that runs only where pods can be real processes; elsewhere it is skipped with the reason.</summary>
public sealed class ProcessRuntimeFactAttribute : FactAttribute
{
    public ProcessRuntimeFactAttribute(params string[] tools)
    {
        if (KubernetesEmulator.WhyUnavailable(PodRuntime.Processes) is { } why)
        {
            Skip = why;
        }
        else if (tools.FirstOrDefault(t => Emulator.Runtime.Processes.HostTools.Find(t) is null) is { } missing)
        {
            Skip = $"this test runs {missing}, which is not installed";
        }
    }
}

/// <summary>
/// An emulator on the process runtime for each test, with a short restart back-off, and helpers to create pods and read
/// what their processes print. Deadlines are generous: the tests must hold on a machine at load average 15.
/// </summary>
public abstract class ProcessRuntimeTest : EmulatorTest
{
    /// <summary>How long a pod may take to start and become ready on a loaded machine.</summary>
    protected static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    protected override void Configure(KubernetesEmulatorOptions options)
    {
        options.Runtime = PodRuntime.Processes;
        options.Processes.RestartBackOff = TimeSpan.FromSeconds(1);
        options.Processes.MaxRestartBackOff = TimeSpan.FromSeconds(4);
    }

    /// <summary>A pod on node-1 running one container with this command (a shell image: the machine's own sh and tools).</summary>
    protected static V1Pod ShellPod(string name, string script, string restartPolicy = "Always", Action<V1Container>? configure = null)
    {
        var container = new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", script] };
        configure?.Invoke(container);
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1PodSpec { Containers = [container], RestartPolicy = restartPolicy, TerminationGracePeriodSeconds = 30 },
        };
    }

    /// <summary>An HTTP echo server pod (<c>chaos-testing/echo</c>) answering <paramref name="text"/> on 8080, ready when /healthz answers.</summary>
    protected static V1Pod EchoPod(string name, string text, string app)
    {
        var container = new V1Container
        {
            Name = "echo",
            Image = "chaos-testing/echo:1",
            Env = [new V1EnvVar { Name = "ECHO_TEXT", Value = text }],
            Ports = [new V1ContainerPort { ContainerPort = 8080 }],
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 }, PeriodSeconds = 1, FailureThreshold = 1 },
        };
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new V1PodSpec { Containers = [container], TerminationGracePeriodSeconds = 5 },
        };
    }

    protected Task<V1Pod> CreateAsync(V1Pod pod) => Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

    protected Task<V1Pod> ReadyAsync(string name) =>
        Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync(name, Ns),
            p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            $"pod {name} is Ready",
            Slow,
            p => $"{p.Status?.Phase} {string.Join("; ", p.Status?.ContainerStatuses?.Select(s => $"{s.Name} {Describe(s.State)} restarts={s.RestartCount}") ?? [])}");

    protected Task<V1Pod> PodAsync(string name, Func<V1Pod, bool> accept, string description, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, Ns), accept, description, timeout ?? Slow,
            p => $"{p.Status?.Phase} {string.Join("; ", (p.Status?.ContainerStatuses ?? []).Concat(p.Status?.EphemeralContainerStatuses ?? []).Select(s => $"{s.Name} {Describe(s.State)} last={Describe(s.LastState)} restarts={s.RestartCount}"))}");

    protected async Task<string> LogAsync(string pod, string? container = null, bool previous = false, int? tailLines = null)
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, Ns, container: container, previous: previous, tailLines: tailLines);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    protected Task<string> LogContainsAsync(string pod, string text, string? container = null) =>
        Eventually.MatchAsync(() => LogAsync(pod, container), l => l.Contains(text, StringComparison.Ordinal), $"the log of {pod} contains \"{text}\"", Slow, l => l);

    protected static string Describe(V1ContainerState? state) =>
        state?.Running is not null ? "running"
        : state?.Terminated is { } t ? $"terminated({t.Reason} {t.ExitCode})"
        : state?.Waiting is { } w ? $"waiting({w.Reason}: {w.Message})"
        : "-";
}
