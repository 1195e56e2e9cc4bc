namespace Chaos.Testing.Emulator;

/// <summary>How a <see cref="KubernetesEmulator"/> starts: its port, its nodes and the pace of its simulated controllers.</summary>
public sealed class KubernetesEmulatorOptions
{
    /// <summary>
    /// The environment variable that selects the pod runtime for the test adapters and samples
    /// (<c>CHAOS_EMULATOR_RUNTIME=processes</c>); see <see cref="Runtime"/>.
    /// </summary>
    public const string RuntimeVariable = "CHAOS_EMULATOR_RUNTIME";

    /// <summary>
    /// The environment variable that selects the timing profile of the test adapters' emulator
    /// (<c>CHAOS_EMULATOR_TIMING=realistic</c>, or <c>fast</c>, the default); see <see cref="Timing"/>.
    /// </summary>
    public const string TimingVariable = "CHAOS_EMULATOR_TIMING";

    /// <summary>
    /// Gets or sets how pods run: <see cref="PodRuntime.Simulated"/> (nothing runs) or <see cref="PodRuntime.Processes"/>
    /// (real processes; Linux and root only, <see cref="KubernetesEmulator.StartAsync(KubernetesEmulatorOptions?, CancellationToken)"/>
    /// refuses elsewhere with the reason).
    /// </summary>
    /// <value>The default value is <see cref="PodRuntime.Simulated"/>.</value>
    public PodRuntime Runtime { get; set; }

    /// <summary>Gets the settings of the process runtime (used when <see cref="Runtime"/> is <see cref="PodRuntime.Processes"/>).</summary>
    public ProcessRuntimeOptions Processes { get; } = new();

    /// <summary>Gets or sets the loopback port to listen on.</summary>
    /// <value>The default value is 0: a free port chosen by the operating system.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets how many nodes the cluster starts with (named <c>node-1</c>, <c>node-2</c>, ...).</summary>
    /// <value>The default value is 3.</value>
    public int NodeCount { get; set; } = 3;

    /// <summary>
    /// Gets or sets the pace of the simulated kubelet: <see cref="EmulatorTiming.Fast"/> (milliseconds, from the three
    /// delays below) or <see cref="EmulatorTiming.Realistic"/> (seconds to pull images and start, readiness probes'
    /// delays and periods, termination up to the grace period; the delays below are then not used).
    /// </summary>
    /// <value>The default value is <see cref="EmulatorTiming.Fast"/>.</value>
    public EmulatorTiming Timing { get; set; }

    /// <summary>Gets or sets how long a scheduled pod stays <c>Pending</c> before its containers run.</summary>
    /// <value>The default value is 20 milliseconds.</value>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Gets or sets how long a running pod (or a restarted container) takes to become <c>Ready</c>.</summary>
    /// <value>The default value is 20 milliseconds.</value>
    public TimeSpan PodReadyDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Gets or sets how long a gracefully deleted pod takes to go away. The pod's own grace period caps it, so
    /// <c>gracePeriodSeconds=0</c> always removes at once.
    /// </summary>
    /// <value>The default value is 50 milliseconds.</value>
    public TimeSpan PodTerminationDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets how many changes the watch history keeps; a watch resumed from an older version gets 410 Gone.</summary>
    /// <value>The default value is 10000.</value>
    public int WatchHistorySize { get; set; } = 10_000;

    /// <summary>Gets or sets the seed for generated names, uids and API fault draws, so runs can be replayed.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the clock of the emulator's controllers and timestamps.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where to write the kubeconfig file.</summary>
    /// <value>The default value is <see langword="null"/>: a file in the temporary folder, deleted when the emulator stops.</value>
    public string? KubeconfigPath { get; set; }

    /// <summary>
    /// Gets or sets what every Chaos.Testing payload prints when it fails to install its fault, or <see langword="null"/>
    /// for payloads that install. When set, a payload (an ephemeral container declaring <see cref="PayloadProtocol.HoldSecondsVariable"/>,
    /// or a <c>restartPolicy: Never</c> pod whose containers declare a hold of a second or more) exits 1 as soon as it
    /// starts, with this text as its log and termination message, the way a payload ends on a node without the tool or
    /// kernel module it needs (for example <c>Error: Specified qdisc kind is unknown.</c> without sch_netem). Cleanup
    /// containers and pods still succeed.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? PayloadInstallError { get; set; }

    /// <summary>
    /// Gets the images the kubelet cannot pull: an ephemeral container with one of them stays waiting with reason
    /// <c>ErrImagePull</c> (message <c>pull access denied for &lt;image&gt;</c>), as on a node that cannot reach the registry.
    /// </summary>
    public ISet<string> UnpullableImages { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets how many changes one watch may have waiting to be sent before it is closed as too slow (its client
    /// watches again). Internal: tests lower it to close a stalled watcher quickly.
    /// </summary>
    internal int WatchQueueLimit { get; set; } = 10_000;

    internal void Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"Port: must be between 0 (any free port) and 65535, was {Port}.");
        }

        if (NodeCount is < 1 or > 500)
        {
            errors.Add($"NodeCount: must be between 1 and 500, was {NodeCount}.");
        }

        foreach (var (name, value) in new[] { (nameof(PodStartDelay), PodStartDelay), (nameof(PodReadyDelay), PodReadyDelay), (nameof(PodTerminationDelay), PodTerminationDelay) })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                errors.Add($"{name}: must be between 0 and 1 hour, was {value}.");
            }
        }

        if (WatchHistorySize is < 16 or > 10_000_000)
        {
            errors.Add($"WatchHistorySize: must be between 16 and 10000000, was {WatchHistorySize}.");
        }

        if (WatchQueueLimit is < 1 or > 10_000_000)
        {
            errors.Add($"WatchQueueLimit: must be between 1 and 10000000, was {WatchQueueLimit}.");
        }

        if (!Enum.IsDefined(Runtime))
        {
            errors.Add($"Runtime: must be Simulated or Processes, was {(int)Runtime}.");
        }

        if (!Enum.IsDefined(Timing))
        {
            errors.Add($"Timing: must be Fast or Realistic, was {(int)Timing}.");
        }

        if (Runtime == PodRuntime.Processes)
        {
            errors.AddRange(Processes.Problems());
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider: must not be null; use TimeProvider.System.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("The 'KubernetesEmulatorOptions' are invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "- " + e)));
        }
    }
}
