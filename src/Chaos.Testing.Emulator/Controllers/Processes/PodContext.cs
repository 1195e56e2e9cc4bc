using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>What a pod's containers share once its sandbox exists: who it is, where it runs, its network and its folders.</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Name">The pod's name.</param>
/// <param name="Uid">The pod's uid (the store may hold a newer pod of the same name).</param>
/// <param name="Node">The node it is bound to.</param>
/// <param name="PodIp">Its IP.</param>
/// <param name="NetnsName">Its network namespace (<c>ip netns</c> name), or <see langword="null"/> with <c>hostNetwork</c>.</param>
/// <param name="LogDirectory">Where its containers' logs go, one folder per container.</param>
/// <param name="CgroupPath">Its cgroup, relative to each controller's root (below the node's).</param>
/// <param name="Spec">The pod's spec (its volumes, host namespaces and such do not change).</param>
internal sealed record PodContext(string Namespace, string Name, string Uid, string Node, string PodIp, string? NetnsName, string LogDirectory, string CgroupPath, JsonObject Spec)
{
    /// <summary>Gets why the pod's volumes could not be made, or <see langword="null"/>.</summary>
    public string? VolumeProblem { get; init; }

    /// <summary>Gets whether the pod uses the machine's network (<c>hostNetwork: true</c>): no network namespace of its own.</summary>
    public bool HostNetwork => Spec["hostNetwork"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;

    /// <summary>Gets whether the pod's containers share the machine's PID namespace (<c>hostPID: true</c>).</summary>
    public bool HostPid => Spec["hostPID"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;

    /// <summary>The log file of a container's run: one per restart, as the kubelet keeps them.</summary>
    /// <exception cref="ArgumentException">The name is not a DNS label (the API refuses such a name; one placed in the store directly must not lead out of the folder).</exception>
    public string LogPath(string container, int restart) =>
        System.Text.RegularExpressions.Regex.IsMatch(container, @"\A[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\z")
            ? Path.Combine(LogDirectory, container, restart.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".log")
            : throw new ArgumentException($"container name \"{container}\" is not a DNS label (lowercase letters, digits and '-', at most 63)", nameof(container));

    /// <summary>The pod's termination grace period (default 30 s).</summary>
    public static TimeSpan GracePeriod(JsonObject pod) =>
        TimeSpan.FromSeconds(pod["spec"]?["terminationGracePeriodSeconds"]?.ToInt64() ?? 30);
}
