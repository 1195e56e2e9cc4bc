using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.InteropServices;
using Chaos.Testing;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;
using Xunit;

namespace Shop.EndToEnd.Tests;

/// <summary>
/// One emulator on the process runtime for the suite, running the shop twice from the same manifests: in
/// <see cref="Plain"/> the cart asks prices with a plain HttpClient, in <see cref="Resilient"/> through its Polly
/// pipeline. The pods are the services' real build outputs, each in its own network namespace; the test process
/// reaches the carts through their Services' ClusterIPs, as a client inside the cluster would.
/// </summary>
public sealed class ShopCluster : IAsyncLifetime
{
    public const string Plain = "shop-plain";
    public const string Resilient = "shop-resilient";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private readonly Dictionary<string, string> _cartUrls = [];
    private KubernetesEmulator? _emulator;

    public IKubernetes Client => Emulator.Client;

    private KubernetesEmulator Emulator => _emulator ?? throw new InvalidOperationException("the process runtime is unavailable: " + KubernetesEmulator.WhyUnavailable(PodRuntime.Processes));

    /// <summary>The cart's total, through the cart Service of <paramref name="ns"/>.</summary>
    public string CartUrl(string ns) => _cartUrls[ns];

    public async Task InitializeAsync()
    {
        if (KubernetesEmulator.WhyUnavailable(PodRuntime.Processes) is not null && !new ChaosClusterOptions().ResolveStrict())
        {
            return;   // every test is skipped with the reason (ProcessRuntimeFactAttribute)
        }

        _emulator = await KubernetesEmulator.StartAsync(o =>
        {
            o.Runtime = PodRuntime.Processes;
            // The images are this machine's builds of the two services, run by the .NET host these tests run on.
            o.Processes.Images["shop/prices:1"] = new ImageProgram(DotnetHost(), ServiceDll("Shop.Prices"));
            o.Processes.Images["shop/cart:1"] = new ImageProgram(DotnetHost(), ServiceDll("Shop.Cart"));
        });
        await Task.WhenAll(DeployAsync(Plain, "none"), DeployAsync(Resilient, "polly"));
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    /// <summary>Waits until the cart of <paramref name="ns"/> answers 200 with every price asked of prices now (none stale).</summary>
    public async Task UntilCartAnswersLiveAsync(string ns)
    {
        using var deadline = new CancellationTokenSource(StartDeadline);
        var last = "no answer yet";
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(CartUrl(ns)), deadline.Token);
                var body = await response.Content.ReadAsStringAsync(deadline.Token);
                last = $"{(int)response.StatusCode} {body}";
                if (response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadFromJsonAsync<CartTotal>(deadline.Token))?.StalePrices == 0)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !deadline.IsCancellationRequested)
            {
                last = ex.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }

        throw new TimeoutException($"the cart of {ns} did not answer with live prices within {StartDeadline.TotalSeconds:0} s; last: {last}\n{await PodsOfAsync(ns)}");
    }

    /// <summary>What the pods of <paramref name="ns"/> show: phase, readiness, restarts, last exit, and their logs' last lines.</summary>
    private async Task<string> PodsOfAsync(string ns)
    {
        var text = new System.Text.StringBuilder();
        foreach (var pod in (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items)
        {
            var status = pod.Status?.ContainerStatuses?.FirstOrDefault();
            text.Append($"pod {ns}/{pod.Name()} on {pod.Spec.NodeName}: {pod.Status?.Phase}, ready {status?.Ready}, restarts {status?.RestartCount}, ")
                .Append($"state {KubernetesJson.Serialize(status?.State)}, last {KubernetesJson.Serialize(status?.LastState)}\n");
            try
            {
                using var log = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync(pod.Name(), ns, tailLines: 15));
                text.Append("  log: ").Append((await log.ReadToEndAsync()).Replace("\n", "\n  log: ", StringComparison.Ordinal)).Append('\n');
            }
            catch (k8s.Autorest.HttpOperationException ex)
            {
                text.Append($"  log unavailable: {ex.Response.Content}\n");
            }
        }

        return text.ToString();
    }

    private async Task DeployAsync(string ns, string resilience)
    {
        var client = Emulator.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        var yaml = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "shop.yaml"));
        foreach (var item in KubernetesYaml.LoadAllFromString(yaml))
        {
            switch (item)
            {
                case V1Deployment deployment:
                    if (deployment.Name() == "cart")
                    {
                        deployment.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "CART_RESILIENCE").Value = resilience;
                    }

                    await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);
                    break;
                case V1Service service:
                    var created = await client.CoreV1.CreateNamespacedServiceAsync(service, ns);
                    if (created.Name() == "cart")
                    {
                        _cartUrls[ns] = $"http://{created.Spec.ClusterIP}/cart/total";
                    }

                    break;
                default:
                    throw new InvalidOperationException($"shop.yaml holds a {item.GetType().Name}; this test deploys Deployments and Services");
            }
        }

        await UntilCartAnswersLiveAsync(ns);
    }

    /// <summary>The <c>dotnet</c> host of the runtime these tests run on.</summary>
    private static string DotnetHost()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : throw new FileNotFoundException($"no dotnet host beside this runtime ({host})");
    }

    /// <summary>The built DLL of a service project (written into this assembly's metadata by the project file).</summary>
    private static string ServiceDll(string name)
    {
        var path = typeof(ShopCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == name)?.Value
            ?? throw new InvalidOperationException($"the test assembly does not know where {name} was built");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not built at {path}", path);
    }

    private sealed record CartTotal(decimal Total, int StalePrices, string Resilience);
}
