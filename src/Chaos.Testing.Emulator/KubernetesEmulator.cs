using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using System.Buffers.Binary;
using System.Net;
using Chaos.Testing.Emulator.Controllers;
using Chaos.Testing.Emulator.Controllers.Processes;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;
using k8s;

namespace Chaos.Testing.Emulator;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 that speaks the real wire protocol, with simulated
/// controllers (Deployments, ReplicaSets, StatefulSets, DaemonSets, a scheduler, a kubelet, endpoints,
/// disruption budgets). Any Kubernetes client can use it: <see cref="Client"/>, or kubectl with <see cref="KubeconfigPath"/>.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await KubernetesEmulator.StartAsync();
/// IKubernetes client = cluster.Client;
/// var nodes = await client.CoreV1.ListNodeAsync();
/// </code>
/// </example>
public sealed partial class KubernetesEmulator : IAsyncDisposable
{
    private readonly ResourceStore _store;
    private readonly ApiServer _server;
    private readonly ControllerManager _controllers;
    private readonly ProcessRuntimeHost? _runtime;
    private readonly ProcessKubelet? _processKubelet;
    private readonly bool _ownsKubeconfig;
    private readonly Lazy<Kubernetes> _client;
    private int _disposed;

    private KubernetesEmulator(KubernetesEmulatorOptions options)
    {
        Options = options;
        _store = new ResourceStore(options.TimeProvider, options.WatchHistorySize, options.Seed) { WatchQueueLimit = options.WatchQueueLimit };
        Audit = new AuditLog();
        ApiFaults = new ApiFaults(options.TimeProvider, options.Seed);
        Authorization = new ApiAuthorization();
        var admission = new Admission();
        _server = new ApiServer(_store, Audit, ApiFaults, Authorization, options.TimeProvider, admission);
        var settings = new KubeletSettings(options.TimeProvider, options.PodStartDelay, options.PodReadyDelay, options.PodTerminationDelay, options.PayloadInstallError, options.UnpullableImages,
            RealisticTiming: options.Timing == EmulatorTiming.Realistic);
        if (options.Runtime == PodRuntime.Processes)
        {
            var processes = options.Processes;
            _runtime = ProcessRuntimeHost.Start(new ProcessRuntimeSettings(
                processes.Images.ToDictionary(i => i.Key, i => (i.Value.Program, (IReadOnlyList<string>)i.Value.Arguments), StringComparer.Ordinal),
                processes.PodRange,
                processes.ServiceRange,
                processes.RestartBackOff,
                processes.MaxRestartBackOff,
                processes.NodeDiskSize));
            var range = IPNetwork.Parse(_runtime.Network.ServiceRange);
            var baseAddress = BinaryPrimitives.ReadUInt32BigEndian(range.BaseAddress.GetAddressBytes());
            admission.ServiceIp = n =>
            {
                var address = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(address, baseAddress + (uint)(n - 10)); // the 11th service number is .1
                return new IPAddress(address).ToString();
            };
            _processKubelet = new ProcessKubelet(_runtime, _store, options.TimeProvider);
            _server.Logs = _processKubelet;
            _controllers = ControllerManager.Create(_store, settings, admission, (_processKubelet, new ServiceProxy(_runtime, _store)));
        }
        else
        {
            _controllers = ControllerManager.Create(_store, settings, admission);
        }
        _ownsKubeconfig = options.KubeconfigPath is null;
        _client = new Lazy<Kubernetes>(CreateClient);
    }

    /// <summary>Gets the options the emulator was started with.</summary>
    public KubernetesEmulatorOptions Options { get; }

    /// <summary>Gets the address of the API server, e.g. <c>http://127.0.0.1:39211/</c>.</summary>
    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>Gets the path of a kubeconfig file that points kubectl (or any client) at the emulator.</summary>
    public string KubeconfigPath { get; private set; } = string.Empty;

    /// <summary>Gets a client for the emulator, created on first use and disposed with it.</summary>
    public IKubernetes Client => _client.Value;

    /// <summary>Gets the log of every request served.</summary>
    public AuditLog Audit { get; }

    /// <summary>Gets the API faults (errors, latency) to inject into requests.</summary>
    public ApiFaults ApiFaults { get; }

    /// <summary>Gets the authorization rules (everything is allowed until denied).</summary>
    public ApiAuthorization Authorization { get; }

    /// <summary>Gets the last error a simulated controller hit, or <see langword="null"/>; tests can assert the control plane stayed healthy.</summary>
    public Exception? ControllerError => _controllers.LastError;

    /// <summary>Gets the process runtime's run id (in the name of everything it creates), or null on the simulated runtime.</summary>
    internal string? ProcessRunId => _runtime?.Network.RunId;

    /// <summary>The path of a node's root filesystem on this machine (process runtime only; mounted once a pod on the node needs it).</summary>
    internal string? ProcessNodeRoot(string node) => _runtime?.NodeRoots.PathOf(node);

    /// <summary>Gets when the process runtime saw each readiness probe pass, or null on the simulated runtime (benchmarks).</summary>
    internal IEnumerable<(string Namespace, string Pod, string Container, DateTimeOffset At)>? ReadinessLog => _runtime?.ReadinessLog;

    /// <summary>Gets the store behind the API, for tests that must place an object no API request could (bypassing validation).</summary>
    internal ResourceStore Store => _store;

    /// <summary>Gets the last exception a request handler did not expect (it was answered 500 with a Status), or null.</summary>
    internal Exception? ServerError => _server.LastInternalError;

    /// <summary>Starts an emulator.</summary>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    public static async Task<KubernetesEmulator> StartAsync(KubernetesEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubernetesEmulatorOptions();
        options.Validate();
        var emulator = new KubernetesEmulator(options);
        try
        {
            emulator.Seed();
            await emulator._server.StartAsync(options.Port, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (options.KubeconfigPath is null)
            {
                KubeconfigFile.RemoveStale(Path.GetTempPath());
                emulator.KubeconfigPath = KubeconfigFile.CreateInTemp(Path.GetTempPath(), emulator.Kubeconfig());
            }
            else
            {
                KubeconfigFile.WriteTo(options.KubeconfigPath, emulator.Kubeconfig());
                emulator.KubeconfigPath = options.KubeconfigPath;
            }
            emulator._controllers.Start();
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts an emulator, configuring the default options first.</summary>
    /// <param name="configure">Changes to the default options.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static Task<KubernetesEmulator> StartAsync(Action<KubernetesEmulatorOptions> configure) =>
        StartAsync(configure, CancellationToken.None);

    /// <summary>Starts an emulator, configuring the default options first.</summary>
    /// <param name="configure">Changes to the default options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static Task<KubernetesEmulator> StartAsync(Action<KubernetesEmulatorOptions> configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KubernetesEmulatorOptions();
        configure(options);
        return StartAsync(options, cancellationToken);
    }

    /// <summary>Why pods cannot run with <paramref name="runtime"/> on this machine, or null when they can.</summary>
    /// <param name="runtime">The runtime to check.</param>
    /// <returns>The reason and the fix (e.g. the process runtime needs Linux, root and iproute2, iptables, util-linux), or null.</returns>
    public static string? WhyUnavailable(PodRuntime runtime) =>
        runtime == PodRuntime.Processes ? ProcessRuntimeHost.WhyUnavailable() : null;

    /// <summary>Creates a new client configuration for the emulator (for clients with their own settings).</summary>
    /// <returns>A configuration whose host is <see cref="BaseAddress"/>.</returns>
    public KubernetesClientConfiguration CreateClientConfiguration() => new() { Host = BaseAddress.ToString() };

    /// <summary>
    /// Creates the objects of a YAML document (several may be separated by <c>---</c>) through the API's own
    /// validation and defaulting, in order. Namespaced objects without a namespace go to <c>default</c>.
    /// </summary>
    /// <param name="yaml">The manifests.</param>
    /// <param name="cancellationToken">Cancels between objects.</param>
    /// <returns>A task that completes when every object exists.</returns>
    /// <exception cref="k8s.Autorest.HttpOperationException">The API rejected an object (the message says which and why).</exception>
    public async Task ApplyYamlAsync(string yaml, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        foreach (var obj in KubernetesYaml.LoadAllFromString(yaml))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var json = JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();
            var type = ResourceTypes.FindByKind(json["apiVersion"]?.ToString() ?? string.Empty, json["kind"]?.ToString() ?? string.Empty)
                ?? throw new ArgumentException($"The emulator does not serve {json["apiVersion"]}/{json["kind"]}; served kinds: {string.Join(", ", ResourceTypes.All.Select(t => t.Kind))}.", nameof(yaml));
            var ns = type.Namespaced ? json["metadata"]?["namespace"]?.ToString() ?? "default" : null;
            await _server.CreateAsync(type, ns, json, cancellationToken);
        }
    }

    /// <summary>Stops the server and the controllers and deletes the kubeconfig file it created.</summary>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _controllers.DisposeAsync();
        await _server.DisposeAsync();
        if (_processKubelet is not null)
        {
            await _processKubelet.DisposeAsync();
        }

        _runtime?.Dispose();
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        if (_ownsKubeconfig && KubeconfigPath.Length > 0 && File.Exists(KubeconfigPath))
        {
            File.Delete(KubeconfigPath);
        }
    }

    private Kubernetes CreateClient() => new(CreateClientConfiguration());

    private string Kubeconfig() => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: chaos-emulator
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}
        contexts:
        - name: chaos-emulator
          context:
            cluster: chaos-emulator
            user: chaos-emulator-user
            namespace: default
        current-context: chaos-emulator
        users:
        - name: chaos-emulator-user
          user:
            # The emulator does not authenticate; clients such as KubernetesClient want some credential.
            token: chaos-emulator

        """;
}
