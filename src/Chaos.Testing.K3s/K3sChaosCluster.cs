using System.Text;
using k8s;
using Testcontainers.K3s;

namespace Chaos.Testing.K3s;

/// <summary>
/// A single-node K3s cluster in a Docker container (Testcontainers), Ready to use: nodes Ready and CoreDNS available.
/// Dispose it to remove the container (unless <see cref="K3sChaosClusterOptions.Reuse"/>).
/// </summary>
public sealed class K3sChaosCluster : IChaosCluster
{
    private const int LogLines = 20;
    private readonly K3sContainer _container;
    private readonly Kubernetes _client;
    private int _disposed;

    private K3sChaosCluster(K3sContainer container, Kubernetes client, string kubeconfig, K3sChaosClusterOptions options)
    {
        _container = container;
        _client = client;
        Kubeconfig = kubeconfig;
        Options = options;
    }

    /// <inheritdoc />
    public string Kind => ChaosClusters.K3s;

    /// <inheritdoc />
    public IKubernetes Client => _client;

    /// <inheritdoc />
    public string Description => $"k3s {Options.Image} in container {_container.Name} (API {_client.BaseUri}){(Options.Reuse ? ", reused" : string.Empty)}";

    /// <summary>Gets the kubeconfig of the cluster (server address reachable from this machine), e.g. to write to a file for <c>kubectl</c>.</summary>
    public string Kubeconfig { get; }

    /// <summary>Gets the options the cluster was started with.</summary>
    public K3sChaosClusterOptions Options { get; }

    /// <summary>
    /// Validates the options, checks that Docker answers, starts the K3s container and waits until its nodes are Ready and
    /// CoreDNS (<c>kube-system/coredns</c>) is available, all within <see cref="K3sChaosClusterOptions.StartupTimeout"/>.
    /// </summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The Ready cluster.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="DockerUnavailableException">Docker is not reachable; nothing was started.</exception>
    /// <exception cref="TimeoutException">The cluster was not Ready in time; the message includes the last 20 container log lines.</exception>
    public static async Task<K3sChaosCluster> StartAsync(K3sChaosClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new K3sChaosClusterOptions();
        options.ThrowIfInvalid();
        if (DockerProbe.WhyUnreachable() is { } why)
        {
            throw new DockerUnavailableException(why);
        }

        var container = K3sContainerConfiguration.From(options).ToBuilder().Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartupTimeout);
        var stage = "starting the container";
        Kubernetes? client = null;
        try
        {
            await container.StartAsync(timeout.Token);
            stage = "reading the kubeconfig";
            var kubeconfig = await container.GetKubeconfigAsync();
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            client = new Kubernetes(await KubernetesClientConfiguration.BuildConfigFromConfigFileAsync(stream));
            stage = "waiting for Ready nodes and CoreDNS";
            await WaitForReadyAsync(client, s => stage = s, timeout.Token);
            stage = "pre-pulling images";
            await K3sStartup.PrePullAsync([.. options.PrePullImages], async (command, ct) =>
            {
                var result = await container.ExecAsync(command, ct);
                return (result.ExitCode ?? -1, result.Stdout + result.Stderr);
            }, options.PrePullTimeout, cancellationToken);
            return new K3sChaosCluster(container, client, kubeconfig, options);
        }
        catch (Exception ex)
        {
            client?.Dispose();
            var logs = await LastLogLinesAsync(container);
            if (!options.Reuse)
            {
                await container.DisposeAsync();
            }

            if (ex is TimeoutException && stage == "pre-pulling images")
            {
                throw;
            }

            if (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"K3s ({options.Image}) was not Ready within {options.StartupTimeout.TotalSeconds:0}s (K3sChaosClusterOptions.StartupTimeout) while {stage}. Last {LogLines} container log lines:{Environment.NewLine}{logs}", ex);
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new InvalidOperationException($"K3s ({options.Image}) failed while {stage}: {ex.Message}. Last {LogLines} container log lines:{Environment.NewLine}{logs}", ex);
        }
    }

    /// <summary>
    /// Checks what chaos faults need from this cluster: ephemeral containers (the <c>pods/ephemeralcontainers</c>
    /// subresource in <c>/api/v1</c> discovery) and, when <paramref name="checkNetem"/>, that a netem qdisc can be added
    /// in a pod, by trying it: a short-lived pod in <c>default</c> with <see cref="K3sChaosClusterOptions.NetemProbeImage"/>
    /// and NET_ADMIN adds and deletes one (the kernel loads <c>sch_netem</c> on first use); when it fails, the problem
    /// quotes the probe.
    /// </summary>
    /// <param name="checkNetem">Also check netem, needed by the network delay, corruption and duplication faults.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>What is missing, with how to fix it; empty when everything is there.</returns>
    public async Task<IReadOnlyList<string>> CheckCapabilitiesAsync(bool checkNetem = false, CancellationToken cancellationToken = default)
    {
        var resources = await _client.CoreV1.GetAPIResourcesAsync(cancellationToken);
        string? netem = null;
        if (checkNetem)
        {
            netem = await NetemProbe.RunAsync(_client, "default", Options.NetemProbeImage, Options.PrePullTimeout, TimeProvider.System, cancellationToken);
        }

        return K3sCapabilities.Problems(resources.Resources.Select(r => r.Name), netem);
    }

    /// <summary>Removes the container (unless <see cref="K3sChaosClusterOptions.Reuse"/>, then it keeps running for the next run) and disposes the client.</summary>
    /// <returns>A task that completes when the container is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _client.Dispose();
        if (!Options.Reuse)
        {
            await _container.DisposeAsync();
        }
    }

    private static async Task WaitForReadyAsync(Kubernetes client, Action<string> report, CancellationToken cancellationToken)
    {
        while (true)
        {
            string? waiting;
            try
            {
                waiting = await K3sStartup.WhatIsNotReadyAsync(client, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                waiting = $"the API server did not answer ({ex.Message})";
            }

            if (waiting is null)
            {
                return;
            }

            report($"waiting for {waiting}");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static async Task<string> LastLogLinesAsync(K3sContainer container)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false, ct: cts.Token);
            var lines = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length == 0 ? "(no log lines)" : string.Join(Environment.NewLine, lines[Math.Max(0, lines.Length - LogLines)..]);
        }
        catch (Exception ex)
        {
            return $"(the logs could not be read: {ex.Message})";
        }
    }
}
