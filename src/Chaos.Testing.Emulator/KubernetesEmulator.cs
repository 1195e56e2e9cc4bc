using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Controllers;
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
public sealed class KubernetesEmulator : IAsyncDisposable
{
    private readonly ResourceStore _store;
    private readonly ApiServer _server;
    private readonly ControllerManager _controllers;
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
        var settings = new KubeletSettings(options.TimeProvider, options.PodStartDelay, options.PodReadyDelay, options.PodTerminationDelay, options.PayloadInstallError, options.UnpullableImages);
        _controllers = ControllerManager.Create(_store, settings, admission);
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

    // The objects every cluster starts with: the system namespaces and the nodes.
    private void Seed()
    {
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            var ns = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
            new Admission().Apply(ResourceTypes.Namespaces, ns);
            _store.Create(ResourceTypes.Namespaces, ns);
        }

        var now = _store.Now();
        for (var i = 1; i <= Options.NodeCount; i++)
        {
            var name = $"node-{i.ToString(CultureInfo.InvariantCulture)}";
            var node = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = new JsonObject
                    {
                        ["kubernetes.io/hostname"] = name,
                        ["kubernetes.io/os"] = "linux",
                        ["kubernetes.io/arch"] = "amd64",
                        ["beta.kubernetes.io/os"] = "linux",
                        ["beta.kubernetes.io/arch"] = "amd64",
                    },
                },
                ["spec"] = new JsonObject { ["podCIDR"] = $"10.42.{i.ToString(CultureInfo.InvariantCulture)}.0/24" },
                ["status"] = NodeStatus(i, now),
            };
            ObjectValidator.ValidateCreate(ResourceTypes.Nodes, node);
            _store.Create(ResourceTypes.Nodes, node);
        }
    }

    private static JsonObject NodeStatus(int index, string now)
    {
        JsonObject Condition(string type, string status, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = status,
            ["lastHeartbeatTime"] = now,
            ["lastTransitionTime"] = now,
            ["reason"] = reason,
            ["message"] = message,
        };

        JsonObject Resources() => new() { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110", ["ephemeral-storage"] = "50Gi" };

        return new JsonObject
        {
            ["capacity"] = Resources(),
            ["allocatable"] = Resources(),
            ["conditions"] = new JsonArray(
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")),
            // TEST-NET-1 (RFC 5737) addresses: documentation only, nothing is ever sent to them.
            ["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = $"192.0.2.{(10 + index).ToString(CultureInfo.InvariantCulture)}" },
                new JsonObject { ["type"] = "Hostname", ["address"] = $"node-{index.ToString(CultureInfo.InvariantCulture)}" }),
            ["nodeInfo"] = new JsonObject
            {
                ["kubeletVersion"] = Discovery.KubernetesVersion,
                ["kubeProxyVersion"] = Discovery.KubernetesVersion,
                ["osImage"] = "Chaos.Testing emulated node",
                ["kernelVersion"] = "6.1.0",
                ["containerRuntimeVersion"] = "containerd://emulated",
                ["operatingSystem"] = "linux",
                ["architecture"] = "amd64",
                ["machineID"] = string.Empty,
                ["systemUUID"] = string.Empty,
                ["bootID"] = string.Empty,
            },
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
        };
    }
}
