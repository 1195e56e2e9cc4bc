using System.Globalization;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>
/// The root filesystems of a run's nodes: a size-bounded tmpfs per node, <c>&lt;folder&gt;/&lt;node&gt;</c>, which
/// <c>hostPath</c> volumes of pods on that node map into and their disk <c>emptyDir</c> volumes live in. A node disk
/// fill fills it, not this machine's disk. Each is mounted when a pod on the node first needs it, with the usual
/// folders of a node (<c>/var/tmp</c>, <c>/var/log</c>, ...), and detached on <see cref="Dispose"/>; the run's state
/// folder, which holds them, is never deleted while one is mounted (see <see cref="MountTable.DetachUnder"/>).
/// </summary>
internal sealed partial class NodeRoots : IDisposable
{
    // What a node has before any pod wrote to it: the folders pods commonly mount (type Directory needs them).
    private static readonly (string Path, UnixFileMode Mode)[] Skeleton =
    [
        ("etc", Mode755), ("home", Mode755), ("mnt", Mode755), ("opt", Mode755), ("root", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
        ("srv", Mode755), ("tmp", Mode1777), ("usr/local", Mode755), ("var/cache", Mode755), ("var/lib", Mode755), ("var/log", Mode755), ("var/tmp", Mode1777),
    ];

    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode1777 = Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit;

    private readonly string _folder;
    private readonly long _size;
    private readonly string _source;
    private readonly HashSet<string> _mounted = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="NodeRoots"/> class.</summary>
    /// <param name="folder">The folder of the node roots, in the run's state folder.</param>
    /// <param name="size">The size of each node's tmpfs in bytes.</param>
    /// <param name="source">The name the mounts show as their source (the run's prefix, so the mount table tells whose they are).</param>
    public NodeRoots(string folder, long size, string source)
    {
        _folder = folder;
        _size = size;
        _source = source;
    }

    /// <summary>The root of <paramref name="node"/>, mounted with its usual folders if it is not yet.</summary>
    /// <param name="node">The node's name.</param>
    /// <returns>The root's path on this machine.</returns>
    /// <exception cref="IOException">The tmpfs could not be mounted.</exception>
    public string Ensure(string node)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("node roots are Linux tmpfs mounts");
        }

        var path = PathOf(node);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_mounted.Contains(node))
            {
                return path;
            }

            Directory.CreateDirectory(path);
            MountCalls.Mount(_source, path, "tmpfs", MountCalls.NoSuid | MountCalls.NoDev, $"size={_size.ToString(CultureInfo.InvariantCulture)},mode=755");
            try
            {
                foreach (var (folder, mode) in Skeleton)
                {
                    var created = Directory.CreateDirectory(Path.Combine(path, folder));
                    File.SetUnixFileMode(created.FullName, mode);
                }
            }
            catch
            {
                MountCalls.Detach(path);
                throw;
            }

            _mounted.Add(node);
            return path;
        }
    }

    /// <summary>Where the root of <paramref name="node"/> is (mounted or not).</summary>
    /// <param name="node">The node's name: a DNS subdomain, as Kubernetes requires.</param>
    /// <returns>The path.</returns>
    public string PathOf(string node) =>
        NodeName().IsMatch(node) && node.Length <= 253 ? Path.Combine(_folder, node)
            : throw new ArgumentException($"\"{node}\" is not a node name (lowercase letters, digits, '-' and '.')", nameof(node));

    /// <summary>Detaches every node root (a container still running keeps its view until it ends).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _mounted.Clear();
        }

        var (_, problems) = MountTable.DetachUnder(_folder);
        if (problems.Count > 0)
        {
            throw new IOException($"The node roots under {_folder} could not all be detached: {string.Join("; ", problems)}");
        }
    }

    [GeneratedRegex(@"\A[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\z")]
    private static partial Regex NodeName();
}
