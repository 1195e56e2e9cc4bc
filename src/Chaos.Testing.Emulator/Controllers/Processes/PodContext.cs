using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>What a pod's containers share once its sandbox exists: who it is, where it runs, its network and its folders.</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Name">The pod's name.</param>
/// <param name="Uid">The pod's uid (the store may hold a newer pod of the same name).</param>
/// <param name="Node">The node it is bound to.</param>
/// <param name="PodIp">Its IP.</param>
/// <param name="NetnsName">Its network namespace (<c>ip netns</c> name).</param>
/// <param name="LogDirectory">Where its containers' logs go, one folder per container.</param>
/// <param name="CgroupPath">Its cgroup, relative to each controller's root (below the node's).</param>
internal sealed record PodContext(string Namespace, string Name, string Uid, string Node, string PodIp, string NetnsName, string LogDirectory, string CgroupPath)
{
    /// <summary>The log file of a container's run: one per restart, as the kubelet keeps them.</summary>
    public string LogPath(string container, int restart) =>
        Path.Combine(LogDirectory, container, restart.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".log");

    /// <summary>The pod's termination grace period (default 30 s).</summary>
    public static TimeSpan GracePeriod(JsonObject pod) =>
        TimeSpan.FromSeconds(pod["spec"]?["terminationGracePeriodSeconds"]?.ToInt64() ?? 30);
}
