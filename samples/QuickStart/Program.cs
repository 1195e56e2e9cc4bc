// QuickStart: an in-process Kubernetes API (the emulator) with a small "shop" workload.
//   dotnet run --project samples/QuickStart            -> start, show the workload, stop
//   dotnet run --project samples/QuickStart -- serve   -> keep it running for kubectl until Ctrl+C
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

var serve = args.Contains("serve");
await using var cluster = await KubernetesEmulator.StartAsync();
await cluster.ApplyYamlAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "shop.yaml")));

Console.WriteLine($"emulator:   {cluster.BaseAddress}");
Console.WriteLine($"kubeconfig: {cluster.KubeconfigPath}");

var client = cluster.Client;
if (cluster.ControllerError is { } controllerError)
{
    Console.WriteLine($"warning: a simulated controller failed: {controllerError.Message}");
}

var pods = await WaitForReadyPodsAsync(client, "shop", "app=cart", 3, TimeSpan.FromSeconds(10));
Console.WriteLine();
Console.WriteLine($"{"NAMESPACE",-10} {"POD",-28} {"PHASE",-8} {"READY",-6} {"NODE",-8} IP");
foreach (var pod in pods)
{
    var ready = pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
    Console.WriteLine($"{pod.Namespace(),-10} {pod.Name(),-28} {pod.Status?.Phase,-8} {ready,-6} {pod.Spec.NodeName,-8} {pod.Status?.PodIP}");
}

var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("cart", "shop");
var endpoints = await client.CoreV1.ReadNamespacedEndpointsAsync("cart", "shop");
Console.WriteLine();
Console.WriteLine($"deployment shop/cart: {deployment.Status.AvailableReplicas}/{deployment.Spec.Replicas} available");
Console.WriteLine($"service shop/cart endpoints: {string.Join(", ", endpoints.Subsets?.SelectMany(s => s.Addresses ?? []).Select(a => a.Ip) ?? [])}");

if (serve)
{
    Console.WriteLine();
    Console.WriteLine($"Serving until Ctrl+C. Try: kubectl --kubeconfig {cluster.KubeconfigPath} get pods -A");
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.TrySetResult();
    };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
    await stop.Task;
}

return 0;

static async Task<IReadOnlyList<V1Pod>> WaitForReadyPodsAsync(IKubernetes client, string ns, string selector, int count, TimeSpan timeout)
{
    using var cts = new CancellationTokenSource(timeout);
    while (true)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cts.Token);
        var ready = list.Items.Where(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true).ToList();
        if (ready.Count >= count)
        {
            return ready;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
    }
}
