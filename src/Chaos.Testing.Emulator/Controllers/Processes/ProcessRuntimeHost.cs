using System.Runtime.InteropServices;
using Chaos.Testing.Emulator.Runtime.Mounts;
using Chaos.Testing.Emulator.Runtime.Network;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// What the process runtime holds for one emulator: its pod network (bridge, namespaces, Service rules, DNS), its
/// folders (logs, node roots) and its cgroup root. Everything carries the network's run id, so that a crashed run's leftovers are
/// found and removed by the next start.
/// </summary>
internal sealed class ProcessRuntimeHost : IDisposable
{
    private static readonly string[] Tools = ["ip", "iptables", "iptables-save", "iptables-restore", "unshare", "nsenter", "setpriv", "sh"];

    private ProcessRuntimeHost(ProcessRuntimeSettings options, PodNetwork network)
    {
        Options = options;
        Network = network;
        StateDirectory = Path.Combine(StateRoot, network.RunId);
        LogDirectory = Path.Combine(StateDirectory, "logs");
        Directory.CreateDirectory(LogDirectory);
        MountStaging = Directory.CreateDirectory(Path.Combine(StateDirectory, "rootfs")).FullName;
        NodeRoots = new NodeRoots(Path.Combine(StateDirectory, "nodes"), options.NodeDiskSize, $"cte-{network.RunId}");
        UserImages = options.Images;
    }

    /// <summary>Where each run keeps its state folder (the network's owner file, the containers' logs).</summary>
    public const string StateRoot = "/run/chaos-testing-emulator";

    public ProcessRuntimeSettings Options { get; }

    public PodNetwork Network { get; }

    public string StateDirectory { get; }

    public string LogDirectory { get; }

    /// <summary>Gets the empty folder where each container with volumes gets its filesystem built (in a mount namespace of its own).</summary>
    public string MountStaging { get; }

    /// <summary>Gets the nodes' root filesystems (a tmpfs each), which <c>hostPath</c> and disk <c>emptyDir</c> volumes use.</summary>
    public NodeRoots NodeRoots { get; }

    /// <summary>Gets the cgroup every pod of this emulator sits below (nodes, then pods, then containers).</summary>
    public string CgroupRoot => $"cte-{Network.RunId}";

    public IReadOnlyDictionary<string, (string Program, IReadOnlyList<string> Args)> UserImages { get; }

    /// <summary>
    /// Gets when each container's readiness probe passed (real clock, the moment the runtime saw it, before any status is
    /// written): what the benchmark measures the engine's recovery detection from.
    /// </summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Namespace, string Pod, string Container, DateTimeOffset At)> ReadinessLog { get; } = new();

    /// <summary>Records that a container's readiness probe passed now.</summary>
    public void RecordReady(string @namespace, string pod, string container) =>
        ReadinessLog.Enqueue((@namespace, pod, container, TimeProvider.System.GetUtcNow()));

    /// <summary>Why the process runtime cannot run on this machine, or null when it can.</summary>
    public static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return $"the process runtime runs pods as Linux processes (network and PID namespaces, cgroups); this is {RuntimeInformation.OSDescription}. Use the simulated runtime here, or run on Linux";
        }

        if (Environment.UserName != "root" && !IsRoot())
        {
            return "the process runtime needs root (it creates network namespaces, iptables rules and cgroups); run the tests as root (e.g. in a CI container) or use the simulated runtime";
        }

        var missing = Tools.Where(t => HostTools.Find(t) is null).ToList();
        return missing.Count > 0
            ? $"the process runtime needs {string.Join(", ", missing)} on PATH; on Debian: apt-get install iproute2 iptables util-linux"
            : null;
    }

    /// <summary>Starts the runtime: removes what crashed runs left, then creates this emulator's network.</summary>
    public static ProcessRuntimeHost Start(ProcessRuntimeSettings options)
    {
        if (WhyUnavailable() is { } why)
        {
            throw new PlatformNotSupportedException("The emulator's process runtime cannot start: " + why + ".");
        }

        // A run whose owner died (even by SIGKILL) loses its state folder to the network's sweep; its containers,
        // which outlive the test process, are then killed and their cgroups removed.
        PodNetwork.RemoveLeftovers();
        Cgroups.RemoveDeadRuns(run => Directory.Exists(Path.Combine(StateRoot, run)));
        var network = PodNetwork.Create(new PodNetworkSettings(options.PodRange, options.ServiceRange));
        return new ProcessRuntimeHost(options, network);
    }

    public void Dispose()
    {
        // Before the network's teardown deletes the state folder (which would detach them anyway, as a crashed run's).
        NodeRoots.Dispose();
        Network.Dispose();
        Cgroups.RemoveLeftovers(CgroupRoot);
        if (Directory.Exists(StateDirectory) && MountTable.Under(StateDirectory).Count == 0)
        {
            // The network removed its state folder with it, unless something failed there; never deleted with a mount in it.
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private static bool IsRoot()
    {
        try
        {
            return File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries) is [_, "0", ..];
        }
        catch (IOException)
        {
            return false;
        }
    }
}
