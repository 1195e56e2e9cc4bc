using System.Globalization;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// The argv that runs a container, as a chain of this machine's tools, each exec'ing the next (no shell line is built
/// from user data):
/// <c>sh -c JOIN sh CGROUPS -- [nsenter --mount=ROOT] [ip netns exec NS] unshare --pid --fork --mount-proc --kill-child -- setpriv CAPS USER -- ARGV</c>,
/// or <c>sh -c JOIN sh CGROUPS -- nsenter --target PID --net --pid --mount --wd=DIR -- setpriv ...</c> to join a
/// running container's namespaces.
/// </summary>
/// <remarks>
/// The cgroup is joined first, by the launcher itself: <c>ip netns exec</c> mounts a new <c>/sys</c>, which hides
/// <c>/sys/fs/cgroup</c> from everything after it (and from a mount namespace made after it, which exec and ephemeral
/// containers enter). So <c>unshare</c> (or <c>nsenter</c>), which only waits, is in the cgroup too: its few hundred
/// KiB count against the memory limit, and should the OOM killer pick it, its <c>--kill-child</c> takes the
/// container with it, which is reported the same (SIGKILL, OOMKilled).
/// </remarks>
internal static class LaunchCommand
{
    /// <summary>
    /// Writes the shell into each <c>cgroup.procs</c> given before <c>--</c>, then execs the rest. The process joins
    /// before anything of the container runs, so nothing it allocates or forks escapes the limits, and there is no
    /// window for a race. Only our own paths are arguments; the script is constant.
    /// </summary>
    internal const string JoinScript =
        "while [ \"$1\" != -- ]; do { echo 0 > \"$1\"; } 2>/dev/null || { echo \"cannot join the cgroup $1\" >&2; exit 125; }; shift; done; shift; exec \"$@\"";

    /// <summary>
    /// <see cref="JoinScript"/> for a container whose environment has no <c>PWD</c>: the shell exports one at start,
    /// which is not the container's.
    /// </summary>
    internal const string JoinScriptWithoutPwd = "unset PWD; " + JoinScript;

    /// <summary>The argv that starts the container.</summary>
    /// <param name="launch">The container.</param>
    /// <param name="tools">Where the tools are.</param>
    /// <param name="procsFiles">The cgroup files to join, none for no cgroup.</param>
    /// <param name="available">The capabilities this process has: the container keeps only those of its set among them.</param>
    /// <param name="workingDirectory">The working directory (set by <c>nsenter</c>, which enters the target's mount namespace at its root).</param>
    /// <param name="mountNamespace">
    /// The container's own filesystem (<see cref="Mounts.ContainerRoot.NamespacePath"/>), entered first; entering puts
    /// the chain at its root, so <c>unshare</c> sets the working directory.
    /// </param>
    /// <returns>The argv.</returns>
    public static IReadOnlyList<string> ForContainer(
        ContainerLaunch launch, LaunchTools tools, IReadOnlyList<string> procsFiles, CapabilitySet available, string workingDirectory, string? mountNamespace = null)
    {
        var argv = Join(launch, tools, procsFiles);
        if (launch.TargetPid is { } target)
        {
            // nsenter forks for --pid: its child is the container's process, in the target's PID namespace. The target has a
            // filesystem of its own (every container gets its own /tmp): the working directory is opened inside it, or
            // the shell starts in a folder outside its root ("getcwd() failed" before every payload's output).
            argv.AddRange(Enter(tools, target, workingDirectory, inOwnRoot: true));
        }
        else
        {
            if (mountNamespace is not null)
            {
                // Before ip netns exec: its own mount namespace (a new /sys, the pod's resolv.conf) is a copy of this one.
                argv.AddRange([tools.Nsenter, $"--mount={mountNamespace}", "--"]);
            }

            if (launch.NetnsName is { } netns)
            {
                argv.AddRange([tools.Ip, "netns", "exec", netns]);
            }

            // --kill-child: if unshare dies, the container's process gets SIGKILL, so no container outlives its launcher.
            // hostPID: no PID namespace and the machine's /proc, so the container sees every process.
            argv.AddRange(launch.HostPid ? [tools.Unshare, "--fork", "--kill-child"] : [tools.Unshare, "--pid", "--fork", "--mount-proc", "--kill-child"]);
            argv.AddRange(mountNamespace is null ? ["--"] : [$"--wd={workingDirectory}", "--"]);
        }

        argv.AddRange([tools.Setpriv, .. SetprivOptions(launch, available), "--", .. LoaderEnvironment.Prefix(launch.Environment, tools.Env), .. launch.Command]);
        return argv;
    }

    /// <summary>The argv that runs <paramref name="command"/> inside a running container, as <c>kubectl exec</c> does.</summary>
    /// <param name="launch">The container.</param>
    /// <param name="hostPid">The host PID of the container's process.</param>
    /// <param name="tools">Where the tools are.</param>
    /// <param name="procsFiles">The container's cgroup files: an exec counts against the container's limits.</param>
    /// <param name="available">The capabilities this process has.</param>
    /// <param name="workingDirectory">The container's working directory.</param>
    /// <param name="command">The command.</param>
    /// <returns>The argv.</returns>
    public static IReadOnlyList<string> ForExec(
        ContainerLaunch launch, int hostPid, LaunchTools tools, IReadOnlyList<string> procsFiles, CapabilitySet available, string workingDirectory, IReadOnlyList<string> command) =>
        [.. Join(launch, tools, procsFiles), .. Enter(tools, hostPid, workingDirectory, launch.HasOwnRoot), tools.Setpriv, .. SetprivOptions(launch, available), "--", .. LoaderEnvironment.Prefix(launch.Environment, tools.Env), .. command];

    /// <summary>The <c>setpriv</c> options for the launch's user, group and capabilities.</summary>
    /// <param name="launch">The container.</param>
    /// <param name="available">The capabilities this process has.</param>
    /// <returns>The options, without the program and the final <c>--</c>.</returns>
    internal static IReadOnlyList<string> SetprivOptions(ContainerLaunch launch, CapabilitySet available)
    {
        var options = new List<string>();
        if (launch.RunAsUser is { } user)
        {
            options.AddRange(["--reuid", user.ToString(CultureInfo.InvariantCulture)]);
        }

        if (launch.RunAsGroup is { } group)
        {
            options.AddRange(["--regid", group.ToString(CultureInfo.InvariantCulture)]);
        }

        if (launch.RunAsUser is not null || launch.RunAsGroup is not null)
        {
            options.Add("--clear-groups");
        }

        // A capability this process lacks cannot be raised in the inheritable set: the container keeps what there is.
        var caps = "-all" + string.Concat(launch.Capabilities.Intersect(available).Names.Select(n => ",+" + n.ToLowerInvariant()));
        options.AddRange(["--bounding-set", caps, "--inh-caps", caps]);
        if (launch.RunAsUser is > 0)
        {
            // Root gets its set from the bounding set at exec; another user keeps it only as ambient capabilities.
            options.AddRange(["--ambient-caps", caps]);
        }

        if (launch.NoNewPrivileges)
        {
            options.Add("--no-new-privs");
        }

        return options;
    }

    /// <summary>
    /// <c>nsenter</c> into a running container. <c>--wd</c> opens the folder before entering, so it names this
    /// machine's; a container with a filesystem of its own needs <c>--wdns</c> (util-linux 2.38), which opens it inside.
    /// </summary>
    private static IEnumerable<string> Enter(LaunchTools tools, int pid, string workingDirectory, bool inOwnRoot) =>
        [tools.Nsenter, "--target", pid.ToString(CultureInfo.InvariantCulture), "--net", "--pid", "--mount", $"{(inOwnRoot ? "--wdns" : "--wd")}={workingDirectory}", "--"];

    private static List<string> Join(ContainerLaunch launch, LaunchTools tools, IReadOnlyList<string> procsFiles)
    {
        if (procsFiles.Count == 0)
        {
            return [];
        }

        var script = launch.Environment.ContainsKey("PWD") ? JoinScript : JoinScriptWithoutPwd;
        return [tools.Shell, "-c", script, "sh", .. procsFiles, "--"];
    }
}
