namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <content>The tree: a tmpfs root with the machine's entries bound in, the volumes bound at their paths, then the switch of root.</content>
internal sealed partial class ContainerRoot
{
    // A root or a folder laid over holds the entries' mount points and whatever the container writes beside them.
    private const string OverlaySize = "64m";

    // The mount points made so far, and whether each shows this machine's files (true) or ours (a tmpfs, a volume).
    private readonly List<(string Point, bool Machine)> _points = [];

    private void BuildTree()
    {
        // Slave, as ip netns exec makes its namespace: nothing mounted from here on reaches this machine's namespace,
        // while what this machine mounts or unmounts (a pod's network namespace file, say) still reaches this one.
        MountCalls.Mount(null, "/", null, MountCalls.Recursive | MountCalls.Slave);
        LayOver(_staging, "/");
        foreach (var mount in _mounts.OrderBy(m => RootedPath.Names(m.Target).Count()).ThenBy(m => m.Target, StringComparer.Ordinal))
        {
            MountVolume(mount);
        }

        // The new root becomes the namespace's: a process entering it lands there.
        MountCalls.ChangeDirectory(_staging);
        MountCalls.Mount(".", "/", null, MountCalls.Move);
        MountCalls.ChangeRoot(".");
        MountCalls.ChangeDirectory("/");
        MountCalls.Mount(null, "/", null, MountCalls.Private);
    }

    private void MountVolume(VolumeMount mount)
    {
        if (!Path.IsPathRooted(mount.Target) || RootedPath.Names(mount.Target).ToList() is var names && (names.Count == 0 || names.Contains("..")))
        {
            throw new IOException($"the mount path \"{mount.Target}\" must be absolute, other than / and without \"..\"");
        }

        var source = MountCalls.OpenPath(mount.Source);
        try
        {
            // The handle is what gets mounted: checked after opening, a link swapped in before cannot take it elsewhere.
            var handle = MountCalls.HandlePath(source);
            var opened = new FileInfo(handle).LinkTarget;
            var scope = Path.TrimEndingDirectorySeparator(mount.Scope);
            if (opened != mount.Source || !(opened == scope || opened.StartsWith(scope + "/", StringComparison.Ordinal)))
            {
                throw new IOException($"the volume source {mount.Source} resolved to {opened}, outside {scope}");
            }

            var isFolder = Directory.Exists(handle);
            var target = RootedPath.Resolve(_staging, mount.Target);
            if (target.Exists && (target.Kind == EntryKind.Directory) != isFolder)
            {
                throw new IOException($"cannot mount {(isFolder ? "a folder" : "a file")} on {mount.Target}, which is {(isFolder ? "a file" : "a folder")}");
            }

            if (!target.Exists)
            {
                Create(target, isFolder);
            }

            MountCalls.Mount(handle, target.Full, null, MountCalls.Bind | MountCalls.Recursive);
            if (mount.ReadOnly)
            {
                MountCalls.Mount(null, target.Full, null, MountCalls.Remount | MountCalls.Bind | MountCalls.ReadOnly);
            }

            _points.Add((target.Full, false));
        }
        finally
        {
            MountCalls.Close(source);
        }
    }

    /// <summary>Creates a missing mount point, never in a folder of this machine: such a folder gets a tmpfs laid over first.</summary>
    private void Create(RootedPath target, bool isFolder)
    {
        if (ShowsMachine(target.Existing))
        {
            LayOver(target.Existing, "/" + Path.GetRelativePath(_staging, target.Existing));
        }

        var folders = isFolder ? target.Missing : target.Missing.Take(target.Missing.Count - 1).ToList();
        MountCalls.CreateDirectories(target.Existing, folders);
        if (!isFolder)
        {
            using var _ = new FileStream(target.Full, FileMode.CreateNew, FileAccess.Write);
        }
    }

    /// <summary>
    /// Lays a tmpfs over <paramref name="point"/> with a bind of each entry of this machine's <paramref name="machinePath"/>
    /// (links copied as links): it looks the same, but a new entry goes to the tmpfs.
    /// </summary>
    private void LayOver(string point, string machinePath)
    {
        var mode = OperatingSystem.IsWindows() ? "755" : Convert.ToString((int)File.GetUnixFileMode(machinePath), 8);
        MountCalls.Mount("cte-root", point, "tmpfs", 0, $"mode={mode},size={OverlaySize}");
        _points.Add((point, false));
        if (point == _staging)
        {
            // Unbindable: the binds of the machine's entries (/run holds the staging folder) leave the new root out of themselves.
            MountCalls.Mount(null, point, null, MountCalls.Unbindable);
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(machinePath))
        {
            var name = Path.GetFileName(entry);
            var placeholder = Path.Combine(point, name);
            switch (RootedPath.KindOf(entry, out var link))
            {
                case EntryKind.Link:
                    File.CreateSymbolicLink(placeholder, link!);
                    continue;
                case EntryKind.Directory:
                    Directory.CreateDirectory(placeholder);
                    break;
                case EntryKind.File:
                    File.WriteAllBytes(placeholder, []);
                    break;
                default:
                    continue; // gone meanwhile
            }

            MountCalls.Mount(entry, placeholder, null, MountCalls.Bind | MountCalls.Recursive);
            _points.Add((placeholder, true));
        }
    }

    /// <summary>
    /// Whether a folder of the tree shows this machine's files: the deepest mount point above it says, and of several
    /// mounts on the same point the last one, which covers the others (a volume on /tmp covers the machine's /tmp).
    /// </summary>
    private bool ShowsMachine(string path) =>
        _points.Select((p, order) => (p.Point, p.Machine, Order: order))
            .Where(p => path == p.Point || path.StartsWith(p.Point + "/", StringComparison.Ordinal))
            .OrderByDescending(p => p.Point.Length).ThenByDescending(p => p.Order).Select(p => p.Machine).FirstOrDefault();
}
