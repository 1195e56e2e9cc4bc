// QuickStart: a real chaos experiment against the in-process Kubernetes API emulator.
//   dotnet run --project samples/QuickStart            -> start the emulator with a "shop" workload, kill one cart pod,
//                                                         verify the Deployment recovers, print the result
//   dotnet run --project samples/QuickStart -- serve   -> keep the emulator running for kubectl until Ctrl+C or SIGTERM
//   dotnet run --project samples/QuickStart -- --processes
//                                                      -> the same experiment with pods as real processes (Linux, root):
//                                                         the cart pods serve HTTP, and the Service is probed throughout
using System.Runtime.InteropServices;
using Chaos.Testing;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

var serve = args.Contains("serve");
var processes = args.Contains("--processes") || EmulatorClusterProvider.RuntimeFromEnvironment() == PodRuntime.Processes;
if (processes && KubernetesEmulator.WhyUnavailable(PodRuntime.Processes) is { } why)
{
    Console.Error.WriteLine($"--processes: {why}.");
    return 2;
}

await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = processes ? PodRuntime.Processes : PodRuntime.Simulated);
await cluster.ApplyYamlAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "shop.yaml")));

Console.WriteLine($"emulator:   {cluster.BaseAddress}");
Console.WriteLine($"kubeconfig: {cluster.KubeconfigPath}");
Console.WriteLine($"pods:       {(processes ? "real processes (each in its own network and PID namespace)" : "simulated")}");

var client = cluster.Client;
await PrintPodsAsync(client, await WaitForReadyPodsAsync(client, "shop", "app=cart", 3, TimeSpan.FromSeconds(processes ? 60 : 10)));
var service = await client.CoreV1.ReadNamespacedServiceAsync("cart", "shop");
var cartUrl = $"http://{service.Spec.ClusterIP}/";
if (processes)
{
    // The Service's ClusterIP leads to the cart pods' real servers, from this process as from any pod.
    using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    Console.WriteLine($"GET {cartUrl} -> {(await http.GetStringAsync(cartUrl)).Trim()}");
}

if (serve)
{
    Console.WriteLine();
    Console.WriteLine($"Serving until Ctrl+C or SIGTERM. Try: kubectl --kubeconfig {cluster.KubeconfigPath} get pods -A");

    // Handle SIGINT and SIGTERM ourselves (context.Cancel) so the runtime does not start exiting under us: the
    // emulator is then disposed here, on the main flow, which stops it and deletes its kubeconfig. (Completing the
    // wait from a ProcessExit handler ran that disposal on the exit thread, and the process hung after serving.)
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.TrySetResult();
    }

    using (PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop))
    using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop))
    {
        await stop.Task;
    }

    Console.WriteLine("Stopping the emulator.");
    return 0;
}

// The experiment: kill one cart pod, hold for a second, and require the Deployment to be fully available again
// within 30 seconds of the fault (it was before it, or nothing would have been injected).
// With real processes, the cart Service must also keep answering while one of its pods dies.
var experiment = Experiment
    .On(Pods.In("shop").WithLabel("app", "cart"))
    .One()
    .Kill()
    .For(TimeSpan.FromSeconds(1))
    .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)));
var result = await (processes ? experiment.Verify(SteadyState.Http(cartUrl).BeforeAndAfter(TimeSpan.FromSeconds(30))) : experiment).RunAsync(client);

Console.WriteLine();
Console.WriteLine(result.ToReport());
await PrintPodsAsync(client, await WaitForReadyPodsAsync(client, "shop", "app=cart", 3, TimeSpan.FromSeconds(processes ? 60 : 10)));
return result.Verdict == ExperimentVerdict.Passed ? 0 : 1;

static Task PrintPodsAsync(IKubernetes client, IReadOnlyList<V1Pod> pods)
{
    Console.WriteLine();
    Console.WriteLine($"{"NAMESPACE",-10} {"POD",-28} {"PHASE",-8} {"NODE",-8} IP");
    foreach (var pod in pods)
    {
        Console.WriteLine($"{pod.Namespace(),-10} {pod.Name(),-28} {pod.Status?.Phase,-8} {pod.Spec.NodeName,-8} {pod.Status?.PodIP}");
    }

    return Task.CompletedTask;
}

static async Task<IReadOnlyList<V1Pod>> WaitForReadyPodsAsync(IKubernetes client, string ns, string selector, int count, TimeSpan timeout)
{
    using var cts = new CancellationTokenSource(timeout);
    while (true)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cts.Token);
        var ready = list.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true).ToList();
        if (ready.Count >= count)
        {
            return ready;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
    }
}
