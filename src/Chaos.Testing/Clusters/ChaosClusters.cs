namespace Chaos.Testing;

/// <summary>Chooses and starts the cluster of a test run (see <see cref="ChaosClusterOptions"/>).</summary>
public static class ChaosClusters
{
    /// <summary>The in-process emulator (package Chaos.Testing.Emulator).</summary>
    public const string Emulator = "emulator";

    /// <summary>An existing cluster from a kubeconfig.</summary>
    public const string Kubeconfig = "kubeconfig";

    /// <summary>A K3s container (package Chaos.Testing.K3s, needs Docker).</summary>
    public const string K3s = "k3s";

    private static readonly Dictionary<string, string> ProviderTypes = new(StringComparer.Ordinal)
    {
        [Emulator] = "Chaos.Testing.Emulator.EmulatorClusterProvider, Chaos.Testing.Emulator",
        [K3s] = "Chaos.Testing.K3s.K3sClusterProvider, Chaos.Testing.K3s",
    };

    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        [Emulator] = "Chaos.Testing.Emulator",
        [K3s] = "Chaos.Testing.K3s",
    };

    /// <summary>Why the cluster the options ask for cannot be used here, or null when it can. Cheap: starts nothing.</summary>
    /// <param name="options">The options, or null for the defaults and environment.</param>
    /// <returns>The reason, or null.</returns>
    public static string? WhyUnavailable(ChaosClusterOptions? options = null)
    {
        options ??= new ChaosClusterOptions();
        var kind = options.ResolveKind();
        return FindProvider(kind, out var why) is { } provider ? provider.WhyUnavailable(options) : why;
    }

    /// <summary>Starts (or connects to) the cluster the options ask for.</summary>
    /// <param name="options">The options, or null for the defaults and environment.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The cluster; dispose it to release it.</returns>
    /// <exception cref="ChaosClusterUnavailableException">That kind cannot be used here; the message says why.</exception>
    public static async Task<IChaosCluster> AcquireAsync(ChaosClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChaosClusterOptions();
        var kind = options.ResolveKind();
        var provider = FindProvider(kind, out var why) ?? throw new ChaosClusterUnavailableException(why!);
        if (provider.WhyUnavailable(options) is { } reason)
        {
            throw new ChaosClusterUnavailableException(reason);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        try
        {
            return await provider.StartAsync(options, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ChaosClusterUnavailableException($"the {kind} cluster did not start within {options.StartTimeout.TotalSeconds:0}s (ChaosClusterOptions.StartTimeout)");
        }
    }

    private static IChaosClusterProvider? FindProvider(string kind, out string? why)
    {
        why = null;
        if (kind == Kubeconfig)
        {
            return new KubeconfigClusterProvider();
        }

        if (!ProviderTypes.TryGetValue(kind, out var typeName))
        {
            why = $"unknown cluster kind \"{kind}\" ({ChaosClusterOptions.KindVariable}); use {Emulator}, {Kubeconfig} or {K3s}";
            return null;
        }

        var type = Type.GetType(typeName, throwOnError: false);
        if (type is null)
        {
            why = $"{kind} was requested ({ChaosClusterOptions.KindVariable}={kind}) but the {Packages[kind]} package is not referenced by this test project";
            return null;
        }

        return (IChaosClusterProvider)Activator.CreateInstance(type)!;
    }
}
