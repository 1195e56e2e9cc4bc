using k8s;

namespace Chaos.Testing.Emulator;

/// <summary>
/// The <c>emulator</c> kind of <see cref="ChaosClusters"/>: an in-process <see cref="KubernetesEmulator"/>, always
/// available. Found by name when this package is referenced.
/// </summary>
public sealed class EmulatorClusterProvider : IChaosClusterProvider
{
    /// <inheritdoc />
    /// <remarks>
    /// Always available with the simulated runtime; with <c>CHAOS_EMULATOR_RUNTIME=processes</c>, only where the process
    /// runtime can run (Linux, root, the network and namespace tools), else the reason.
    /// </remarks>
    public string? WhyUnavailable(ChaosClusterOptions options)
    {
        try
        {
            _ = TimingFromEnvironment();
            return KubernetesEmulator.WhyUnavailable(RuntimeFromEnvironment());
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <inheritdoc />
    public async Task<IChaosCluster> StartAsync(ChaosClusterOptions options, CancellationToken cancellationToken)
    {
        var runtime = RuntimeFromEnvironment();
        var timing = TimingFromEnvironment();
        return new EmulatorCluster(await KubernetesEmulator.StartAsync(
            o =>
            {
                o.Runtime = runtime;
                o.Timing = timing;
            },
            cancellationToken));
    }

    /// <summary>
    /// The runtime <see cref="KubernetesEmulatorOptions.RuntimeVariable"/> selects: unset or <c>simulated</c>, or
    /// <c>processes</c> (case-insensitive).
    /// </summary>
    /// <returns>The runtime.</returns>
    /// <exception cref="ArgumentException">The variable holds another value (the message names the allowed ones).</exception>
    public static PodRuntime RuntimeFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(KubernetesEmulatorOptions.RuntimeVariable)?.Trim();
        return value switch
        {
            null or "" => PodRuntime.Simulated,
            _ when value.Equals("simulated", StringComparison.OrdinalIgnoreCase) => PodRuntime.Simulated,
            _ when value.Equals("processes", StringComparison.OrdinalIgnoreCase) => PodRuntime.Processes,
            _ => throw new ArgumentException(
                $"{KubernetesEmulatorOptions.RuntimeVariable}=\"{value}\" is not a pod runtime; use \"simulated\" (the default) or \"processes\" (pods as real processes; Linux, root)."),
        };
    }

    /// <summary>
    /// The timing profile <see cref="KubernetesEmulatorOptions.TimingVariable"/> selects: unset or <c>fast</c>, or
    /// <c>realistic</c> (case-insensitive).
    /// </summary>
    /// <returns>The timing profile.</returns>
    /// <exception cref="ArgumentException">The variable holds another value (the message names the allowed ones).</exception>
    public static EmulatorTiming TimingFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(KubernetesEmulatorOptions.TimingVariable)?.Trim();
        return value switch
        {
            null or "" => EmulatorTiming.Fast,
            _ when value.Equals("fast", StringComparison.OrdinalIgnoreCase) => EmulatorTiming.Fast,
            _ when value.Equals("realistic", StringComparison.OrdinalIgnoreCase) => EmulatorTiming.Realistic,
            _ => throw new ArgumentException(
                $"{KubernetesEmulatorOptions.TimingVariable}=\"{value}\" is not a timing profile; use \"fast\" (the default: pods start and stop in milliseconds) or \"realistic\" (seconds, as on a real node)."),
        };
    }

    /// <summary>An emulator seen as an <see cref="IChaosCluster"/>.</summary>
    private sealed class EmulatorCluster(KubernetesEmulator emulator) : IChaosCluster
    {
        public string Kind => ChaosClusters.Emulator;

        public IKubernetes Client => emulator.Client;

        public string Description => $"emulator at {emulator.BaseAddress} ({(emulator.Options.Runtime == PodRuntime.Processes ? "pods as processes" : "simulated pods")}{(emulator.Options.Timing == EmulatorTiming.Realistic ? ", realistic timing" : string.Empty)}, kubeconfig {emulator.KubeconfigPath})";

        public ValueTask DisposeAsync() => emulator.DisposeAsync();
    }
}
