using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Runtime.Mounts;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// The volumes of a pod on the process runtime, from its spec to mounts: <c>hostPath</c> maps into the pod's node root
/// (<see cref="NodeRoots"/>), never to this machine's own path; <c>emptyDir</c> is a folder of the pod in its node root
/// (a tmpfs of its own with <c>medium: Memory</c>), where a real kubelet keeps it. Other volume types are not supported:
/// the container waits with <c>CreateContainerConfigError</c> naming the type.
/// </summary>
internal static partial class PodVolumes
{
    /// <summary>The mounts of a container, in its node's root and its pod's folders, or why it cannot have them.</summary>
    public static VolumePlan ForContainer(ProcessRuntimeHost host, PodContext pod, JsonObject container)
    {
        var mounts = new List<VolumeMount>();
        var volumes = (pod.Spec["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var entry in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = entry["name"]?.ToString() ?? string.Empty;
            var target = entry["mountPath"]?.ToString() ?? string.Empty;
            if (!target.StartsWith('/') || RootedPath.Names(target).Contains(".."))
            {
                return VolumePlan.ConfigError($"volumeMount \"{name}\": mountPath \"{target}\" must be an absolute path without \"..\"");
            }

            if (entry["subPathExpr"] is not null)
            {
                return VolumePlan.ConfigError($"volumeMount \"{name}\": subPathExpr is not supported by the emulator's process runtime; use subPath");
            }

            if (volumes.FirstOrDefault(v => v["name"]?.ToString() == name) is not { } volume)
            {
                return VolumePlan.ConfigError($"volumeMount \"{name}\" names no volume of the pod");
            }

            var (source, scope, problem) = Source(host, pod, volume);
            if (problem is not null)
            {
                return problem;
            }

            if (entry["subPath"]?.ToString() is { Length: > 0 } subPath)
            {
                (source, problem) = SubPath(name, source!, subPath);
                if (problem is not null)
                {
                    return problem;
                }
            }

            mounts.Add(new VolumeMount(source!, scope!, target, entry["readOnly"]?.GetValueKind() == System.Text.Json.JsonValueKind.True));
        }

        if (!mounts.Any(m => m.Target.TrimEnd('/') is "/tmp" or ""))
        {
            // Each container gets a /tmp of its own in its node's root, as its image's filesystem would give it: on a
            // shared root a disk fill into /tmp (the fault's default) would otherwise fill this machine's disk.
            try
            {
                mounts.Add(PrivateTmp(host, pod, container["name"]?.ToString() ?? string.Empty));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return VolumePlan.NotYet("tmp", ex.Message);
            }
        }

        return new VolumePlan(mounts);
    }

    /// <summary>
    /// Read-only mounts of the folders of a user-mapped image's files that lie below one of <paramref name="mounts"/>
    /// (a service built under <c>/tmp</c> would otherwise be hidden by the container's own <c>/tmp</c>).
    /// </summary>
    public static IEnumerable<VolumeMount> ImageFolders(string image, IReadOnlyDictionary<string, (string Program, IReadOnlyList<string> Args)> userImages, IReadOnlyList<VolumeMount> mounts) =>
        ImageCatalog.MappedFolders(image, userImages)
            .Where(folder => mounts.Any(m => folder.StartsWith(m.Target.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .Select(folder => new VolumeMount(folder, folder, folder, ReadOnly: true));

    private static VolumeMount PrivateTmp(ProcessRuntimeHost host, PodContext pod, string container)
    {
        var root = host.NodeRoots.Ensure(pod.Node);
        var relative = Path.Combine(KubeletPods, pod.Uid, "containers", container, "tmp");
        MountCalls.CreateDirectories(root, RootedPath.Names(relative).ToList(), 0x1ed);
        var folder = Path.Combine(root, relative);
        if (!OperatingSystem.IsWindows())
        {
            // 1777, as /tmp is everywhere.
            File.SetUnixFileMode(folder, (UnixFileMode)0x3ff);
        }

        // Each start of the container finds it empty: a container runtime gives a restarted container a new writable
        // layer, so what the last run (or a payload in it) wrote to its /tmp is gone.
        Empty(folder);
        return new VolumeMount(folder, folder, "/tmp", ReadOnly: false);
    }

    /// <summary>Deletes what <paramref name="folder"/> holds (links themselves, never what they lead to), keeping the folder.</summary>
    private static void Empty(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory && directory.LinkTarget is null)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>What a volume mounts, and the folder it must stay in.</summary>
    private static (string? Source, string? Scope, VolumePlan? Problem) Source(ProcessRuntimeHost host, PodContext pod, JsonObject volume)
    {
        var name = volume["name"]!.ToString();
        if (volume["hostPath"] is JsonObject hostPath)
        {
            return HostPath(host, pod, name, hostPath["path"]?.ToString() ?? string.Empty, hostPath["type"]?.ToString() ?? string.Empty);
        }

        if (volume["emptyDir"] is JsonObject)
        {
            if (pod.VolumeProblem is { } broken)
            {
                return (null, null, VolumePlan.NotYet(name, broken));
            }

            var folder = EmptyDirPath(host, pod, name);
            return Directory.Exists(folder) ? (folder, folder, null) : (null, null, VolumePlan.NotYet(name, $"the emptyDir folder {folder} is gone"));
        }

        var type = volume.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "unknown";
        return (null, null, VolumePlan.ConfigError(
            $"volume \"{name}\" is of type {type}, which the emulator's process runtime does not mount (it mounts hostPath and emptyDir volumes)"));
    }

    /// <summary>
    /// A hostPath volume: the path in the node's root, checked (and created) as its <c>type</c> says: nothing there is
    /// created as a folder with <c>DirectoryOrCreate</c> or no type (as containerd does), as an empty file with
    /// <c>FileOrCreate</c>. Socket and device types are only checked to exist and not be folders.
    /// </summary>
    private static (string? Source, string? Scope, VolumePlan? Problem) HostPath(ProcessRuntimeHost host, PodContext pod, string name, string path, string type)
    {
        if (!path.StartsWith('/'))
        {
            return (null, null, VolumePlan.ConfigError($"volume \"{name}\": hostPath \"{path}\" must be an absolute path"));
        }

        if (type is not ("" or "DirectoryOrCreate" or "Directory" or "FileOrCreate" or "File" or "Socket" or "CharDevice" or "BlockDevice"))
        {
            return (null, null, VolumePlan.ConfigError($"volume \"{name}\": unknown hostPath type \"{type}\""));
        }

        try
        {
            var root = host.NodeRoots.Ensure(pod.Node);
            var resolved = RootedPath.Resolve(root, path);
            if (!resolved.Exists && type is "" or "DirectoryOrCreate")
            {
                MountCalls.CreateDirectories(resolved.Existing, resolved.Missing);
                resolved = RootedPath.Resolve(root, path);
            }
            else if (!resolved.Exists && type == "FileOrCreate" && resolved.Missing.Count == 1)
            {
                using (new FileStream(resolved.Full, FileMode.CreateNew, FileAccess.Write))
                {
                }

                resolved = RootedPath.Resolve(root, path);
            }

            var fits = type switch
            {
                "" => resolved.Exists,
                "DirectoryOrCreate" or "Directory" => resolved.Kind == EntryKind.Directory,
                _ => resolved.Kind == EntryKind.File,
            };
            var wanted = type is "" or "DirectoryOrCreate" or "Directory" ? "a directory" : type is "File" or "FileOrCreate" ? "a file" : $"a {type}";
            return fits ? (resolved.Full, root, null)
                : (null, null, VolumePlan.NotYet(name, $"hostPath type check failed: {path} is not {wanted} (in the root of node {pod.Node}, {root})"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null, VolumePlan.NotYet(name, $"hostPath {path} on node {pod.Node}: {ex.Message}"));
        }
    }

    /// <summary>A subPath of a volume: resolved inside it (a link cannot lead out), created as a folder when missing, as the kubelet does.</summary>
    private static (string? Source, VolumePlan? Problem) SubPath(string name, string source, string subPath)
    {
        if (subPath.StartsWith('/') || RootedPath.Names(subPath).Contains(".."))
        {
            return (null, VolumePlan.ConfigError($"volumeMount \"{name}\": subPath \"{subPath}\" must be a relative path without \"..\""));
        }

        try
        {
            if (!Directory.Exists(source))
            {
                return (null, VolumePlan.ConfigError($"volumeMount \"{name}\": subPath \"{subPath}\" of a volume that is a file"));
            }

            var resolved = RootedPath.Resolve(source, subPath);
            if (!resolved.Exists)
            {
                MountCalls.CreateDirectories(resolved.Existing, resolved.Missing, 0x1ff); // 0777, as the kubelet makes it
                resolved = RootedPath.Resolve(source, subPath);
            }

            return (resolved.Full, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, VolumePlan.NotYet(name, $"subPath {subPath}: {ex.Message}"));
        }
    }
}
