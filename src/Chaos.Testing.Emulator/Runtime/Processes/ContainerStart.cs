using System.Diagnostics;
using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// What a container needs before its process starts, checked so that a container that cannot run fails at once with
/// a reason (as <c>StartError</c>) rather than as an exit: tools, program, working directory, cgroup, log file.
/// </summary>
internal sealed class ContainerStart
{
    private ContainerStart(ContainerLaunch launch, LaunchTools tools, Dictionary<string, string> environment, string workingDirectory)
    {
        Launch = launch;
        Tools = tools;
        Environment = environment;
        WorkingDirectory = workingDirectory;
        Available = AvailableCapabilities();
    }

    /// <summary>Gets the container.</summary>
    public ContainerLaunch Launch { get; }

    /// <summary>Gets the tools of the launch chain.</summary>
    public LaunchTools Tools { get; }

    /// <summary>Gets the container's environment with its defaults.</summary>
    public Dictionary<string, string> Environment { get; }

    /// <summary>Gets the working directory.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Gets the capabilities this process can hand on.</summary>
    public CapabilitySet Available { get; }

    /// <summary>Gets the container's cgroup, or <see langword="null"/> when this machine has no cgroup controllers.</summary>
    public ContainerCgroup? Cgroup { get; private set; }

    /// <summary>Gets the OOM kill count of the cgroup before the start.</summary>
    public long OomKillsBefore { get; private set; }

    /// <summary>Gets the log writer.</summary>
    public ContainerLogWriter Log { get; private set; } = null!;

    /// <summary>Gets the argv that starts the container.</summary>
    public IReadOnlyList<string> ContainerArgv { get; private set; } = [];

    /// <summary>Checks a launch and prepares its cgroup and log.</summary>
    /// <param name="launch">The container.</param>
    /// <param name="time">The clock of the log lines.</param>
    /// <returns>The prepared start.</returns>
    /// <exception cref="ContainerStartException">It cannot start.</exception>
    public static ContainerStart Prepare(ContainerLaunch launch, TimeProvider time)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw Error(launch, "the process runtime needs Linux (namespaces, cgroups)");
        }

        var tools = LaunchTools.Find();
        var environment = new Dictionary<string, string>(launch.Environment, StringComparer.Ordinal);
        environment.TryAdd("PATH", HostTools.DefaultPath);
        environment.TryAdd("HOSTNAME", System.Environment.MachineName);
        var start = new ContainerStart(launch, tools, environment, launch.WorkingDirectory ?? "/");
        start.Check();
        try
        {
            // The working directory and the program are looked for where the container will see them.
            if (launch.HasOwnRoot)
            {
                start.Root = ContainerRoot.Build(launch.MountStaging ?? throw new ArgumentException("a container with mounts needs a staging folder"), launch.Mounts!, start.CheckFiles);
            }
            else
            {
                start.CheckFiles();
            }

            if (Cgroups.Layout is { } layout)
            {
                start.Cgroup = ContainerCgroup.Create(layout, launch.CgroupPath, launch.MemoryLimitBytes, launch.CpuLimitMillicores, launch.PodLimits);
                start.OomKillsBefore = start.Cgroup.OomKills();
            }

            start.ContainerArgv = LaunchCommand.ForContainer(launch, tools, start.Cgroup?.ProcsFiles ?? [], start.Available, start.WorkingDirectory, start.Root?.NamespacePath);
            start.Log = new ContainerLogWriter(launch.LogPath, time);
            return start;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            start.Abandon();
            throw Error(launch, ex.Message, ex);
        }
        catch (ContainerStartException)
        {
            start.Abandon();
            throw;
        }
    }

    /// <summary>How to start <paramref name="argv"/> with exactly the container's environment and no terminal.</summary>
    /// <param name="argv">The argv.</param>
    /// <returns>The start info.</returns>
    public ProcessStartInfo StartInfo(IReadOnlyList<string> argv)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // nsenter enters the target's mount namespace (or the container's own filesystem) at its root; the
            // directory is set after (--wd, --wdns): it may not exist on this machine.
            WorkingDirectory = Launch.TargetPid is null && Root is null ? WorkingDirectory : "/",
        };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        // Nothing of this process is inherited: the tools of the chain pass this environment on to the container, all
        // but the loader variables, which only the container's program gets (LoaderEnvironment).
        info.Environment.Clear();
        foreach (var (name, value) in Environment.Where(v => !LoaderEnvironment.IsLoaderVariable(v.Key)))
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>Gets the container's own filesystem while it is being entered, or <see langword="null"/> when it has none.</summary>
    public ContainerRoot? Root { get; private set; }

    /// <summary>Lets the container's filesystem go: call once the container's process runs (it holds a copy then), or has failed.</summary>
    public void ReleaseRoot() => Root?.Dispose();

    /// <summary>Undoes the preparation: closes the log, removes the cgroup, lets the filesystem go.</summary>
    public void Abandon()
    {
        ReleaseRoot();
        Log?.Dispose();
        Cgroup?.Remove();
    }

    private static ContainerStartException Error(ContainerLaunch launch, string message, Exception? inner = null) =>
        new("StartError", $"container {launch.Name}: {message}", inner);

    /// <summary>The capabilities this process has in its permitted and bounding sets: all it can hand on.</summary>
    private static CapabilitySet AvailableCapabilities()
    {
        var status = Cgroups.ReadOrEmpty("/proc/self/status").Split('\n').Select(l => l.Split(':', 2)).Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1].Trim(), StringComparer.Ordinal);
        var permitted = status.TryGetValue("CapPrm", out var p) ? CapabilitySet.FromHex(p) : CapabilitySet.None;
        return status.TryGetValue("CapBnd", out var b) ? permitted.Intersect(CapabilitySet.FromHex(b)) : permitted;
    }

    private void Check()
    {
        if (Tools.Missing(Launch) is { } missing)
        {
            throw Error(Launch, missing);
        }

        if (Launch.Command.Count == 0)
        {
            throw Error(Launch, "no command to run (the image mapping gave none)");
        }

        if (Launch.TargetPid is { } target && !ProcessTree.Exists(target))
        {
            throw Error(Launch, $"the target container's process {target} is gone");
        }

        if ((Launch.MemoryLimitBytes is not null || Launch.CpuLimitMillicores is not null) && Cgroups.Layout is null)
        {
            throw Error(Launch, $"it has resource limits, but {Cgroups.Problem}");
        }
    }

    /// <summary>The checks that look at the container's files: run where it sees them (in its own root, when it has one).</summary>
    private void CheckFiles()
    {
        if (!Directory.Exists(WorkingDirectory))
        {
            throw Error(Launch, $"the working directory \"{WorkingDirectory}\" does not exist");
        }

        if (HostTools.Search(Launch.Command[0], Environment["PATH"], WorkingDirectory) is null)
        {
            // runc's words, which users know from real clusters.
            throw Error(Launch, $"exec: \"{Launch.Command[0]}\": executable file not found in $PATH");
        }
    }
}
