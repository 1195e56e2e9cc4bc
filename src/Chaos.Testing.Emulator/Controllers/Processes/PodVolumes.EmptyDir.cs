using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <content>
/// The pod's <c>emptyDir</c> volumes: made with the sandbox in the node's root, where a real kubelet keeps them
/// (<c>/var/lib/kubelet/pods/&lt;uid&gt;/volumes/kubernetes.io~empty-dir/&lt;name&gt;</c>), so they share the node's
/// disk; removed with the pod.
/// </content>
internal static partial class PodVolumes
{
    private const string KubeletPods = "var/lib/kubelet/pods";

    /// <summary>
    /// Makes the pod's emptyDir folders (mode 0777, as the kubelet's); one with <c>medium: Memory</c> gets a tmpfs of its
    /// own, of its <c>sizeLimit</c> (else the tmpfs default, half the memory). Returns why they could not be made, or
    /// <see langword="null"/>.
    /// </summary>
    public static string? Prepare(ProcessRuntimeHost host, string node, string uid, JsonObject spec)
    {
        var emptyDirs = (spec["volumes"] as JsonArray ?? []).OfType<JsonObject>().Where(v => v["emptyDir"] is JsonObject).ToList();
        if (emptyDirs.Count == 0)
        {
            return null;
        }

        try
        {
            var root = host.NodeRoots.Ensure(node);
            foreach (var volume in emptyDirs)
            {
                var name = volume["name"]?.ToString() ?? string.Empty;
                if (!System.Text.RegularExpressions.Regex.IsMatch(name, @"\A[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\z"))
                {
                    return $"volume name \"{name}\" is not a DNS label";
                }

                var names = RootedPath.Names(Path.GetRelativePath(root, EmptyDirPath(root, uid, name))).ToList();

                // Folder by folder, never through a link: a hostPath pod on the node may have put one in the way.
                MountCalls.CreateDirectories(root, names, 0x1ff);
                var folder = EmptyDirPath(root, uid, name);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(folder, (UnixFileMode)0x1ff);
                }

                if (volume["emptyDir"]?["medium"]?.ToString() == "Memory")
                {
                    MountMemory(host, folder, Quantities.Bytes(volume["emptyDir"]?["sizeLimit"]));
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return ex.Message;
        }
    }

    /// <summary>Removes the pod's folder from its node's root, detaching its memory volumes first.</summary>
    public static void Remove(ProcessRuntimeHost host, string node, string uid)
    {
        try
        {
            var root = host.NodeRoots.PathOf(node);
            var resolved = RootedPath.Resolve(root, Path.Combine(KubeletPods, uid));
            if (!resolved.Exists || resolved.Kind != EntryKind.Directory || resolved.Full == root)
            {
                return;
            }

            var (_, stuck) = MountTable.DetachUnder(resolved.Full);
            if (stuck.Count == 0)
            {
                // Never with a mount left in it: the delete would reach into it.
                Directory.Delete(resolved.Full, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Left in the node root, which goes with the run.
        }
    }

    /// <summary>The folder of an emptyDir volume on this machine.</summary>
    private static string EmptyDirPath(ProcessRuntimeHost host, PodContext pod, string name) => EmptyDirPath(host.NodeRoots.PathOf(pod.Node), pod.Uid, name);

    private static string EmptyDirPath(string root, string uid, string name) =>
        Path.Combine(root, KubeletPods, uid, "volumes", "kubernetes.io~empty-dir", name);

    private static void MountMemory(ProcessRuntimeHost host, string folder, long? size)
    {
        // Mounted on the opened folder itself, so a link swapped in cannot move the mount elsewhere.
        var handle = MountCalls.OpenPath(folder);
        try
        {
            var path = MountCalls.HandlePath(handle);
            if (new FileInfo(path).LinkTarget != folder)
            {
                throw new IOException($"the emptyDir folder {folder} moved while it was being mounted");
            }

            var options = "mode=1777" + (size is { } bytes ? ",size=" + bytes.ToString(CultureInfo.InvariantCulture) : string.Empty);
            MountCalls.Mount($"cte-{host.Network.RunId}", path, "tmpfs", MountCalls.NoSuid | MountCalls.NoDev, options);
        }
        finally
        {
            MountCalls.Close(handle);
        }
    }
}
