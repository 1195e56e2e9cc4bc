namespace Chaos.Testing;

/// <summary>CPU stress: <see cref="Workers"/> stress-ng CPU workers, each keeping one CPU busy <see cref="LoadPercent"/>% of the time.</summary>
internal sealed record CpuStressSpec
{
    /// <summary>Initializes a new instance of the <see cref="CpuStressSpec"/> class.</summary>
    /// <param name="workers">How many workers (1-256); each loads at most one CPU.</param>
    /// <param name="loadPercent">The load of each worker, 1-100 (100 = a CPU fully busy).</param>
    public CpuStressSpec(int workers, int loadPercent)
    {
        Workers = WorkersRange.Guard(workers, nameof(workers));
        LoadPercent = LoadRange.Guard(loadPercent, nameof(loadPercent));
    }

    /// <summary>Gets how many workers may run (each loads at most one CPU).</summary>
    public static IntRange WorkersRange { get; } = new(1, 256);

    /// <summary>Gets the load a worker may have, in percent of a CPU.</summary>
    public static IntRange LoadRange { get; } = new(1, 100);

    /// <summary>Gets how many workers run.</summary>
    public int Workers { get; }

    /// <summary>Gets the load of each worker, in percent of one CPU.</summary>
    public int LoadPercent { get; }
}

/// <summary>
/// Memory stress: stress-ng vm workers that allocate, touch and keep memory. The size is a total shared by the
/// workers: either bytes or a percentage of the memory the payload sees (<c>MemTotal</c> of <c>/proc/meminfo</c>,
/// i.e. the node's, not a pod limit: a container cannot read its pod's limit).
/// </summary>
internal sealed record MemoryStressSpec
{
    /// <summary>The smallest total size: stress-ng needs at least a few pages per worker.</summary>
    public const long MinBytes = 1024 * 1024;

    private MemoryStressSpec(long? bytes, int? percent, int workers)
    {
        Bytes = bytes;
        Percent = percent;
        Workers = WorkersRange.Guard(workers, nameof(workers));
    }

    /// <summary>Gets how many workers may share the size.</summary>
    public static IntRange WorkersRange { get; } = new(1, 64);

    /// <summary>Gets the share of <c>MemTotal</c> that may be held, in percent.</summary>
    public static IntRange PercentRange { get; } = new(1, 100);

    /// <summary>Gets the total size in bytes, or null when <see cref="Percent"/> is set.</summary>
    public long? Bytes { get; }

    /// <summary>Gets the total size in percent of <c>MemTotal</c>, or null when <see cref="Bytes"/> is set.</summary>
    public int? Percent { get; }

    /// <summary>Gets how many workers share the size.</summary>
    public int Workers { get; }

    /// <summary>A total of <paramref name="bytes"/> (at least <see cref="MinBytes"/>) held by <paramref name="workers"/> workers.</summary>
    public static MemoryStressSpec OfBytes(long bytes, int workers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, MinBytes);
        return new MemoryStressSpec(bytes, null, workers);
    }

    /// <summary>A total of <paramref name="percent"/>% (1-100) of <c>MemTotal</c> held by <paramref name="workers"/> workers.</summary>
    public static MemoryStressSpec OfPercent(int percent, int workers = 1)
    {
        return new MemoryStressSpec(null, PercentRange.Guard(percent, nameof(percent)), workers);
    }
}

/// <summary>
/// Disk fill: one file in <see cref="Path"/> grows the filesystem holding that directory to <see cref="TargetPercent"/>
/// used, counted as <c>df</c> does (used / (used + available)). The engine passes the target container's root
/// through its PID namespace (<c>/proc/1/root/&lt;dir&gt;</c>) or the mount path of one of the pod's volumes, never
/// a directory of the payload container itself (the payload refuses its own root filesystem).
/// </summary>
internal sealed record DiskFillSpec
{
    /// <summary>Initializes a new instance of the <see cref="DiskFillSpec"/> class.</summary>
    /// <param name="path">An absolute directory path on the filesystem to fill.</param>
    /// <param name="targetPercent">The use to reach, 1-99 percent.</param>
    public DiskFillSpec(string path, int targetPercent)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal) || path.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A disk fill path is an absolute directory path on one line, was \"{path}\".", nameof(path));
        }

        Path = path;
        TargetPercent = PercentRange.Guard(targetPercent, nameof(targetPercent));
    }

    /// <summary>Gets the use a fill may reach, in percent of the filesystem (100 would leave the pod no byte).</summary>
    public static IntRange PercentRange { get; } = new(1, 99);

    /// <summary>Gets the directory whose filesystem is filled; the fill file is written in it.</summary>
    public string Path { get; }

    /// <summary>Gets the use to reach, in percent.</summary>
    public int TargetPercent { get; }
}

/// <summary>
/// Container kill: one signal to the init process of the target container, after which the kubelet restarts the
/// container (restart policy permitting). See <see cref="ContainerKillPayloads"/> for where the payload must run.
/// </summary>
internal sealed record ContainerKillSpec
{
    // Linux numbers (the same on x86-64 and arm64); the in-namespace payload checks PID 1's handler bit by number.
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ABRT"] = 6, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15,
    };

    /// <summary>Initializes a new instance of the <see cref="ContainerKillSpec"/> class.</summary>
    /// <param name="signal">The signal name with or without <c>SIG</c>: HUP, INT, QUIT, ABRT, KILL (the default), USR1, USR2, TERM.</param>
    public ContainerKillSpec(string signal = "KILL")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        var name = signal.Trim().ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        if (!Numbers.TryGetValue(name, out var number))
        {
            throw new ArgumentException($"A container kill sends one of {string.Join(", ", Numbers.Keys)}, was \"{signal}\".", nameof(signal));
        }

        Signal = name;
        SignalNumber = number;
    }

    /// <summary>Gets the signal name without <c>SIG</c> (e.g. <c>KILL</c>), as <c>kill -s</c> takes it.</summary>
    public string Signal { get; }

    /// <summary>Gets the signal number on Linux.</summary>
    public int SignalNumber { get; }
}
