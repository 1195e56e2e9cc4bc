using System.Text;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary><c>pods/log</c> streams what the process prints; an ephemeral container runs inside the target's namespaces with exactly the capabilities it is granted.</summary>
public sealed class LogsAndEphemeralTests : ProcessRuntimeTest
{
    [ProcessRuntimeFact]
    public async Task Log_Follow_StreamsLinesAsTheyArePrinted_AndTailAndTimestampsApply()
    {
        await CreateAsync(ShellPod("ticker", "i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo tick $i; sleep 0.05; done; exec sleep 3600"));
        await LogContainsAsync("ticker", "tick 3");

        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync("ticker", Ns, follow: true, tailLines: 1);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(Slow);
        var first = await reader.ReadLineAsync(timeout.Token);
        var later = new List<string>();
        while (later.Count < 5 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            later.Add(line);
        }

        var firstNumber = int.Parse(first!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        later.Should().HaveCount(5).And.OnlyContain(l => l.StartsWith("tick ", StringComparison.Ordinal));
        int.Parse(later[^1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(firstNumber, "follow keeps yielding the lines printed after it started");

        var tail = await LogAsync("ticker", tailLines: 2);
        tail.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
        using var stamped = await Client.CoreV1.ReadNamespacedPodLogAsync("ticker", Ns, timestamps: true, tailLines: 1);
        (await new StreamReader(stamped).ReadToEndAsync()).Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+\n$");
    }

    [ProcessRuntimeFact]
    public async Task EphemeralContainer_RunsInTheTargetsPidAndNetworkNamespaces_WithOnlyItsGrantedCapabilities()
    {
        await CreateAsync(ShellPod("target", "exec sleep 3600"));
        var pod = await ReadyAsync("target");

        pod.Spec.EphemeralContainers =
        [
            new V1EphemeralContainer
            {
                Name = "debug",
                Image = "busybox:1.36",
                TargetContainerName = "main",
                Command = ["sh", "-c", "echo pid1=$(cat /proc/1/comm); grep CapEff /proc/self/status; ip -4 -o addr show eth0; ip addr add 192.0.2.250/32 dev lo && echo added || echo refused"],
                SecurityContext = new V1SecurityContext { Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_ADMIN"] } },
            },
            new V1EphemeralContainer
            {
                Name = "plain",
                Image = "busybox:1.36",
                Command = ["sh", "-c", "grep CapEff /proc/self/status; ip addr add 192.0.2.251/32 dev lo && echo added || echo refused"],
            },
        ];
        await Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(
            new V1Patch(new { spec = new { ephemeralContainers = pod.Spec.EphemeralContainers } }, V1Patch.PatchType.StrategicMergePatch), "target", Ns);

        await PodAsync("target", p => p.Status?.EphemeralContainerStatuses?.Count == 2 && p.Status.EphemeralContainerStatuses.All(s => s.State?.Terminated is not null), "both ephemeral containers ran");
        var debug = await LogAsync("target", "debug");
        debug.Should().Contain("pid1=sleep", "it shares the target container's PID namespace: PID 1 is the target's sleep");
        debug.Should().Contain("CapEff:\t0000000000001000", "only NET_ADMIN (bit 12) is left after dropping ALL");
        debug.Should().Contain(pod.Status.PodIP, "it shares the pod's network namespace").And.Contain("added");
        var plain = await LogAsync("target", "plain");
        plain.Should().Contain("refused", "the default capabilities do not include NET_ADMIN").And.NotContain("CapEff:\t000001ffffffffff");
    }
}
