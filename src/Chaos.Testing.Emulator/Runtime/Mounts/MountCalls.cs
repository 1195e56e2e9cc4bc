using System.Runtime.InteropServices;

namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>
/// The Linux calls that build a container's filesystem: mount namespaces, mounts, and directories created relative to
/// a directory handle (so that a path a container can change is never followed twice). Each throws an
/// <see cref="IOException"/> naming the call, the path and the reason when it fails.
/// </summary>
internal static class MountCalls
{
    /// <summary><c>MS_RDONLY</c>.</summary>
    public const ulong ReadOnly = 1;

    /// <summary><c>MS_NOSUID</c>.</summary>
    public const ulong NoSuid = 2;

    /// <summary><c>MS_NODEV</c>.</summary>
    public const ulong NoDev = 4;

    /// <summary><c>MS_REMOUNT</c>.</summary>
    public const ulong Remount = 32;

    /// <summary><c>MS_BIND</c>.</summary>
    public const ulong Bind = 4096;

    /// <summary><c>MS_MOVE</c>.</summary>
    public const ulong Move = 8192;

    /// <summary><c>MS_REC</c>.</summary>
    public const ulong Recursive = 16384;

    /// <summary><c>MS_UNBINDABLE</c>: a recursive bind of a parent leaves this mount out.</summary>
    public const ulong Unbindable = 1 << 17;

    /// <summary><c>MS_PRIVATE</c>: no mount event passes to or from another namespace.</summary>
    public const ulong Private = 1 << 18;

    /// <summary><c>MS_SLAVE</c>: mount events of the master's peers arrive, none go back.</summary>
    public const ulong Slave = 1 << 19;

    private const int CloneFs = 0x200;
    private const int CloneNewNs = 0x20000;
    private const int DetachFlag = 2; // MNT_DETACH
    private const int OPath = 0x200000; // O_PATH (x86-64 and arm64 alike)
    private const int OCloseOnExec = 0x80000; // O_CLOEXEC (x86-64 and arm64 alike)
    private const int EExist = 17;
    private const int ENoEnt = 2;

    // O_DIRECTORY and O_NOFOLLOW differ between architectures: arm64 has its own values.
    private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
    private static readonly int ODirectory = Arm ? 0x4000 : 0x10000;
    private static readonly int ONoFollow = Arm ? 0x8000 : 0x20000;

    /// <summary>Gives the calling thread a mount namespace (and filesystem attributes) of its own, a copy of the current one.</summary>
    public static void UnshareMountNamespace() => Check(NativeMethods.Unshare(CloneFs | CloneNewNs), "unshare(CLONE_NEWNS)", "-");

    /// <summary>Calls <c>mount(2)</c>.</summary>
    public static void Mount(string? source, string target, string? type, ulong flags, string? data = null) =>
        Check(NativeMethods.Mount(Z(source), Z(target)!, Z(type), flags, Z(data)), $"mount({source ?? "none"}, {type ?? "-"}, 0x{flags:x})", target);

    /// <summary>Detaches a mount and everything below it at once (<c>umount2(MNT_DETACH)</c>); false when nothing is mounted there.</summary>
    public static bool Detach(string target)
    {
        if (NativeMethods.Umount2(Z(target)!, DetachFlag) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error is 22 or ENoEnt ? false : throw Failure("umount2(MNT_DETACH)", target, error); // EINVAL: not a mount point
    }

    /// <summary>Changes the calling thread's root directory (its filesystem attributes must be its own).</summary>
    public static void ChangeRoot(string path) => Check(NativeMethods.Chroot(Z(path)!), "chroot", path);

    /// <summary>Changes the calling thread's working directory (its filesystem attributes must be its own).</summary>
    public static void ChangeDirectory(string path) => Check(NativeMethods.Chdir(Z(path)!), "chdir", path);

    /// <summary>The calling thread's id, for <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/ns/mnt</c>.</summary>
    public static int ThreadId() => NativeMethods.GetTid();

    /// <summary>Opens a handle on <paramref name="path"/> itself (<c>O_PATH | O_NOFOLLOW</c>): a symbolic link is not followed.</summary>
    public static int OpenPath(string path)
    {
        var fd = NativeMethods.Open(Z(path)!, OPath | ONoFollow | OCloseOnExec, 0);
        return fd >= 0 ? fd : throw Failure("open(O_PATH)", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>Closes a handle.</summary>
    public static void Close(int fd) => _ = NativeMethods.Close(fd);

    /// <summary>
    /// Creates the directories <paramref name="components"/> below <paramref name="root"/>, one at a time and each
    /// relative to the handle of its parent, never following a symbolic link: a link put in the way meanwhile makes it
    /// fail rather than create a directory elsewhere. Existing directories are kept.
    /// </summary>
    /// <param name="root">A directory.</param>
    /// <param name="components">Names, none of them empty, <c>.</c> or <c>..</c>.</param>
    /// <param name="mode">The mode of new directories.</param>
    public static void CreateDirectories(string root, IReadOnlyList<string> components, int mode = 0x1ed /* 0755 */)
    {
        var current = NativeMethods.Open(Z(root)!, OPath | ODirectory | OCloseOnExec, 0);
        if (current < 0)
        {
            throw Failure("open", root, Marshal.GetLastPInvokeError());
        }

        try
        {
            var path = root;
            foreach (var name in components)
            {
                path = Path.Combine(path, name);
                if (NativeMethods.MkdirAt(current, Z(name)!, mode) != 0 && Marshal.GetLastPInvokeError() is var error && error != EExist)
                {
                    throw Failure("mkdir", path, error);
                }

                var next = NativeMethods.OpenAt(current, Z(name)!, OPath | ODirectory | ONoFollow | OCloseOnExec, 0);
                if (next < 0)
                {
                    throw Failure("open (no symbolic link allowed)", path, Marshal.GetLastPInvokeError());
                }

                Close(current);
                current = next;
            }
        }
        finally
        {
            Close(current);
        }
    }

    /// <summary>The <c>/proc</c> path of a handle, which <c>mount</c> takes as the very file the handle names.</summary>
    public static string HandlePath(int fd) => $"/proc/self/fd/{fd.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>A string as the C library takes it: UTF-8, ending with a zero byte.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static byte[]? Z(string? value) => value is null ? null : System.Text.Encoding.UTF8.GetBytes(value + "\0");

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            throw Failure(call, path, Marshal.GetLastPInvokeError());
        }
    }

    private static IOException Failure(string call, string path, int error) =>
        new($"{call} of {path} failed: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "unshare", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Unshare(int flags);

        [DllImport("libc", EntryPoint = "mount", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Mount(
            byte[]? source,
            byte[] target,
            byte[]? type,
            ulong flags,
            byte[]? data);

        [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Umount2(byte[] target, int flags);

        [DllImport("libc", EntryPoint = "chroot", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Chroot(byte[] path);

        [DllImport("libc", EntryPoint = "chdir", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Chdir(byte[] path);

        [DllImport("libc", EntryPoint = "gettid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int GetTid();

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open(byte[] path, int flags, int mode);

        [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int OpenAt(int dirfd, byte[] path, int flags, int mode);

        [DllImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int MkdirAt(int dirfd, byte[] path, int mode);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);
    }
}
