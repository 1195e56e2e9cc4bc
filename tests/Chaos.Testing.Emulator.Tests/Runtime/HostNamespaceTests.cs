using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>hostPID and hostNetwork pods: what node-level payloads need, as on a node.</summary>
public sealed class HostNamespaceTests : ProcessRuntimeTest
{
    [ProcessRuntimeFact]
    public async Task HostPidPod_FindsAnotherPodsContainerByItsCgroup_AndKillsIt_WhichRestartsWithExit137()
    {
        await CreateAsync(ShellPod("victim", "echo up; exec sleep 3600", configure: c => c.Name = "app"));
        var victim = await PodAsync("victim", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "the victim runs");
        var id = victim.Status.ContainerStatuses.Single().ContainerID["containerd://".Length..];

        // As Chaos.Testing's container kill from the node: the init is the process in the container's cgroup whose parent is not.
        var killer = ShellPod("killer", string.Join(' ',
            "init=; for f in $(grep -lF", id, "/proc/[0-9]*/cgroup 2>/dev/null); do p=${f#/proc/}; p=${p%/cgroup};",
            "pp=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status 2>/dev/null); [ -n \"$pp\" ] || continue;",
            "grep -qF", id, "/proc/$pp/cgroup 2>/dev/null && continue; init=\"$init $p\"; done;",
            "echo found:$init; kill -s KILL $init && echo killed"), restartPolicy: "Never");
        killer.Spec.HostPID = true;
        await CreateAsync(killer);

        await LogContainsAsync("killer", "killed");
        var restarted = await PodAsync("victim", p => p.Status?.ContainerStatuses?.SingleOrDefault() is { RestartCount: >= 1, LastState.Terminated: not null } s && s.State?.Running is not null,
            "the victim's container was killed and restarted");
        restarted.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode.Should().Be(137);
        (await LogAsync("killer")).Should().MatchRegex("found: [0-9]+\n", "exactly one init process has the container's ID in its cgroup");
    }

    [ProcessRuntimeFact]
    public async Task PodWithoutHostPid_SeesOnlyItsOwnProcesses()
    {
        await CreateAsync(ShellPod("confined", $"echo test-visible=$(test -d /proc/{Environment.ProcessId} && echo yes || echo no) pid=$$; exec sleep 3600"));

        (await LogContainsAsync("confined", "pid=")).Should().Contain("pid=1").And.Contain("test-visible=no");
    }

    [ProcessRuntimeFact("ip", "python3")]
    public async Task HostNetworkPod_SeesTheMachinesInterfaces_AndItsIpIsTheBridgeAddress_ThatProbesAndTheTestReach()
    {
        var port = FreePort();
        var pod = EchoPod("hostnet", "served-on-the-host", "hostnet");
        pod.Spec.HostNetwork = true;
        pod.Spec.Containers[0].Env.Add(new V1EnvVar { Name = "PORT", Value = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        pod.Spec.Containers[0].ReadinessProbe.HttpGet.Port = port;
        pod.Spec.Containers.Add(new V1Container { Name = "links", Image = "busybox:1.36", Command = ["sh", "-c", $"ip -o link | grep -o 'cte{Cluster.ProcessRunId}:' | head -1; exec sleep 3600"] });
        await CreateAsync(pod);
        await CreateAsync(ShellPod("ownnet", "ip -o link | wc -l; exec sleep 3600"));

        await LogContainsAsync("hostnet", $"cte{Cluster.ProcessRunId}:", container: "links");
        var ready = await ReadyAsync("hostnet");
        var own = await ReadyAsync("ownnet");
        ready.Status.PodIP.Should().NotBe(own.Status.PodIP).And.EndWith(".1", "a hostNetwork pod's IP is the bridge's (gateway) address, which the test and the pods reach");
        (await LogAsync("ownnet")).Trim().Should().Be("2", "a pod with its own network has lo and eth0 only");
        using var http = new HttpClient();
        (await http.GetStringAsync($"http://{ready.Status.PodIP}:{port}/")).Should().Contain("served-on-the-host");
    }

    /// <summary>A port nothing listens on now, outside the range the kernel hands out to outgoing connections and to the emulators' own servers.</summary>
    private static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, port);
                probe.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 50)
            {
                // Taken: try another.
            }
        }
    }
}
