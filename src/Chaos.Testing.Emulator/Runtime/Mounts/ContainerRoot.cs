using System.Globalization;

namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>
/// The filesystem of a container that has volumes: a mount namespace, built by a thread of this process, whose root is
/// a small tmpfs holding a bind of every entry of this machine's <c>/</c> (so the container sees the machine's files, as
/// one without volumes does) with each volume bound at its path. A path that does not exist on the machine is made in
/// that tmpfs, or in a tmpfs laid over its nearest existing folder (holding binds of that folder's entries): nothing is
/// ever created on the machine, and nothing mounted is seen outside the namespace.
/// </summary>
/// <remarks>
/// <para>
/// The launch chain enters the namespace with <c>nsenter --mount=</c><see cref="NamespacePath"/> (entering a mount
/// namespace puts a process at its root); the thread keeps the namespace alive until <see cref="Dispose"/>, which the
/// runtime calls once the container's process runs (it has namespaces of its own by then, copies of this one).
/// </para>
/// <para>
/// A thread can have a mount namespace of its own once its filesystem attributes (root, working directory) are its
/// own too (<c>unshare(CLONE_FS | CLONE_NEWNS)</c>): nothing of it reaches the rest of this process. Building takes
/// about a millisecond: the mounts are system calls, no process is started.
/// </para>
/// </remarks>
internal sealed partial class ContainerRoot : IDisposable
{
    // The runtime releases the namespace within the container's start; after this, the thread lets go on its own.
    private static readonly TimeSpan LongestHold = TimeSpan.FromMinutes(2);

    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource<int> _built = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _staging;
    private readonly IReadOnlyList<VolumeMount> _mounts;
    private readonly Action? _inside;
    private readonly Thread _thread;
    private int _disposed;

    private ContainerRoot(string staging, IReadOnlyList<VolumeMount> mounts, Action? inside)
    {
        _staging = staging;
        _mounts = mounts;
        _inside = inside;
        _thread = new Thread(Run) { IsBackground = true, Name = "cte container root" };
    }

    /// <summary>Gets the namespace's file, for <c>nsenter --mount=</c>.</summary>
    public string NamespacePath { get; private set; } = string.Empty;

    /// <summary>Builds the filesystem of a container.</summary>
    /// <param name="staging">
    /// An empty folder of this run: the thread mounts the new root there in its own namespace (this machine sees it stay
    /// empty), then makes it the namespace's root.
    /// </param>
    /// <param name="mounts">The volumes.</param>
    /// <param name="inside">Runs on the thread once its root is the container's: checks that must see the container's files (working directory, program).</param>
    /// <returns>The namespace, held until disposed.</returns>
    /// <exception cref="IOException">A mount failed; the message names it.</exception>
    public static ContainerRoot Build(string staging, IReadOnlyList<VolumeMount> mounts, Action? inside = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("container volumes need Linux mount namespaces");
        }

        var root = new ContainerRoot(staging, mounts, inside);
        root._thread.Start();
        try
        {
            var tid = root._built.Task.GetAwaiter().GetResult();
            root.NamespacePath = $"/proc/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}/task/{tid.ToString(CultureInfo.InvariantCulture)}/ns/mnt";
            return root;
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Lets the thread end, and the namespace with it (processes that entered it keep what they have).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _release.Set();
        _thread.Join();
        _release.Dispose();
    }

    private void Run()
    {
        try
        {
            MountCalls.UnshareMountNamespace();
            BuildTree();
            _inside?.Invoke();
            _built.SetResult(MountCalls.ThreadId());
        }
        catch (Exception ex)
        {
            // Rethrown by Build on the caller's thread; this thread's namespace ends with it.
            _built.SetException(ex);
            return;
        }

        _release.Wait(LongestHold);
    }
}
