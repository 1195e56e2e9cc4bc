using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>The process runtime leaves nothing behind: not after dispose, not after its process is killed (the next start removes it).</summary>
[Collection(Network.PodNetworkLeftoversTestGroup.Name)] // alone: another emulator's start would sweep the dead runs these tests make
public sealed class CleanupTests
{
    [ProcessRuntimeFact]
    public async Task Dispose_LeavesNoNamespaceLinkRuleCgroupOrProcess()
    {
        string runId;
        await using (var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes))
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "sleeper" },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", "echo marker-$((6*7))-alive; exec sleep 3600"] }] },
            }, "default");
            await Support.Eventually.MatchAsync(
                async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync("sleeper", "default")).Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running,
                r => r is not null, "the pod runs", TimeSpan.FromSeconds(60));
            runId = cluster.ProcessRunId!;
            Leftovers(runId).Should().NotBeEmpty("the run has a namespace, links and rules while it runs");
        }

        Leftovers(runId).Should().BeEmpty();
        Processes().Should().NotContain(p => p.Contains("marker-$((6*7))", StringComparison.Ordinal), "the container's process is gone");
    }

    [ProcessRuntimeFact]
    public async Task Dispose_LeavesNoMount_NodeRootsAndMemoryVolumesIncluded()
    {
        string runId;
        await using (var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes))
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "mounter" },
                Spec = new V1PodSpec
                {
                    NodeName = "node-1",
                    Volumes =
                    [
                        new V1Volume { Name = "node", HostPath = new V1HostPathVolumeSource { Path = "/var/log" } },
                        new V1Volume { Name = "memory", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory" } },
                    ],
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", "exec sleep 3600"],
                            VolumeMounts = [new V1VolumeMount { Name = "node", MountPath = "/host-logs" }, new V1VolumeMount { Name = "memory", MountPath = "/cache" }],
                        },
                    ],
                },
            }, "default");
            await Support.Eventually.MatchAsync(
                async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync("mounter", "default")).Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running,
                r => r is not null, "the pod runs", TimeSpan.FromSeconds(60));
            runId = cluster.ProcessRunId!;
            Mounts(runId).Where(m => m.Contains(" - tmpfs ", StringComparison.Ordinal)).Should().HaveCount(2, "the node root and the memory volume are mounted while the pod runs");
        }

        Mounts(runId).Should().BeEmpty();
        Leftovers(runId).Should().BeEmpty();
    }

    [ProcessRuntimeFact]
    public async Task DeadRunsNodeRoot_IsDetachedAndRemovedByTheNextStart()
    {
        // A run whose owner died with a node root mounted: its state folder, owner file (a process that is gone) and tmpfs.
        var runId = "zz" + Guid.NewGuid().ToString("N")[..4];
        var folder = $"/run/chaos-testing-emulator/{runId}";
        var nodeRoot = Directory.CreateDirectory($"{folder}/nodes/node-1").FullName;
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            gone.WaitForExit();
            File.WriteAllText($"{folder}/owner", $"{gone.Id} 1\n");
        }

        Run("mount", "-t", "tmpfs", "-o", "size=1m", $"cte-{runId}", nodeRoot);
        File.WriteAllText(Path.Combine(nodeRoot, "left-behind"), "x");
        Mounts(runId).Should().ContainSingle("the dead run's node root is mounted");

        await using (await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes))
        {
            Mounts(runId).Should().BeEmpty("the next start detaches a dead run's mounts");
            Directory.Exists(folder).Should().BeFalse("and then removes its state folder");
        }
    }

    [ProcessRuntimeFact]
    public async Task HostKilledMidRun_TheNextStartRemovesWhatItLeft()
    {
        // The QuickStart serving on the process runtime: three cart pods running, then SIGKILL (no disposal runs).
        var path = System.Reflection.CustomAttributeExtensions.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>(typeof(CleanupTests).Assembly).Single(a => a.Key == "QuickStart").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("--processes");
        start.ArgumentList.Add("serve");
        using var serve = Process.Start(start)!;
        string? runId = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await serve.StandardOutput.ReadLineAsync(timeout.Token) is { } line && !line.StartsWith("Serving until", StringComparison.Ordinal))
            {
            }

            runId = Directory.GetDirectories("/run/chaos-testing-emulator")
                .Single(d => File.Exists(Path.Combine(d, "owner")) && File.ReadAllText(Path.Combine(d, "owner")).Split(' ', '\n')[0] == serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            runId = Path.GetFileName(runId);
            Leftovers(runId).Should().NotBeEmpty();
        }
        finally
        {
            serve.Kill(entireProcessTree: false);
            await serve.WaitForExitAsync();
        }

        Leftovers(runId).Should().NotBeEmpty("a killed host cannot clean up after itself");
        await using (await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes))
        {
            Leftovers(runId).Should().BeEmpty("the next start removes what a dead run left");
        }
    }

    /// <summary>Every trace of a run: namespaces, links, iptables rules, cgroups, state folder.</summary>
    internal static List<string> Leftovers(string runId)
    {
        var found = new List<string>();
        found.AddRange(Run("ip", "netns", "list").Split('\n').Where(l => l.Contains($"cte-{runId}", StringComparison.Ordinal)).Select(l => "netns " + l));
        found.AddRange(Run("ip", "-o", "link").Split('\n').Where(l => l.Contains($"cte{runId}", StringComparison.Ordinal)).Select(l => "link " + l));
        found.AddRange(Run("iptables-save").Split('\n').Where(l => l.Contains(runId, StringComparison.OrdinalIgnoreCase)).Select(l => "rule " + l));
        found.AddRange(new[] { "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/unified", "/sys/fs/cgroup" }
            .Select(root => Path.Combine(root, $"cte-{runId}")).Where(Directory.Exists).Select(d => "cgroup " + d));
        found.AddRange(Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Where(d => Read(Path.Combine(d, "cgroup")).Contains($"/cte-{runId}/", StringComparison.Ordinal))
            .Select(d => $"process {Path.GetFileName(d)}: {Read(Path.Combine(d, "cmdline")).Replace('\0', ' ')}"));
        if (Directory.Exists($"/run/chaos-testing-emulator/{runId}"))
        {
            found.Add($"state /run/chaos-testing-emulator/{runId}");
        }

        return found;
    }

    /// <summary>The mounts of this process's namespace that carry the run id (in their path or source).</summary>
    internal static List<string> Mounts(string runId) =>
        File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Contains(runId, StringComparison.Ordinal)).ToList();

    internal static IEnumerable<string> Processes() =>
        Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d => Read(Path.Combine(d, "cmdline")).Replace('\0', ' ')).ToList();

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    internal static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
