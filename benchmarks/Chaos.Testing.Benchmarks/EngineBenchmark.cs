using System.Diagnostics;
using Chaos.Testing;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

/// <summary>
/// The engine against a plain loop of deletes with the same parallelism, in the same process on the same emulator;
/// the engine's request count; and how soon after a replacement is Ready the engine records recovery.
/// </summary>
internal static class EngineBenchmark
{
    private const int Pods = 500;
    private const int Parallelism = 16;

    public static async Task RunAsync(int rounds)
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.NodeCount = 5);
        await cluster.ApplyYamlAsync($"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: bench
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: fleet
              namespace: bench
            spec:
              replicas: {Pods}
              selector:
                matchLabels:
                  app: fleet
              template:
                metadata:
                  labels:
                    app: fleet
                spec:
                  containers:
                    - name: app
                      image: example/app:1.0
            """);
        var client = cluster.Client;
        Console.WriteLine();
        Console.WriteLine($"Engine benchmark: kill {Pods} pods, parallelism {Parallelism}, {rounds} rounds each after a warm-up round (alternating), median");

        var engineTimes = new List<double>();
        var loopTimes = new List<double>();
        var engineRequests = new List<int>();
        // Round 0 warms up both paths (JIT, connections) and is not counted; the order alternates between rounds
        // so neither path always runs right after the controllers rebuilt the fleet.
        for (var round = 0; round <= rounds; round++)
        {
            for (var turn = 0; turn < 2; turn++)
            {
                await WaitForReadyAsync(client, Pods);
                await Task.Delay(200);
                if ((round + turn) % 2 == 0)
                {
                    var (elapsed, requests) = await EngineKillAsync(client);
                    if (round > 0)
                    {
                        engineTimes.Add(elapsed);
                        engineRequests.Add(requests);
                    }
                }
                else
                {
                    var elapsed = await LoopKillAsync(client);
                    if (round > 0)
                    {
                        loopTimes.Add(elapsed);
                    }
                }
            }
        }

        var engine = Median(engineTimes);
        var loop = Median(loopTimes);
        Console.WriteLine($"  rounds, engine ms: {string.Join(" ", engineTimes.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}; loop ms: {string.Join(" ", loopTimes.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"{"plain loop (list + DeleteNamespacedPodAsync)",-48} {loop,8:F0} ms   1.00x");
        Console.WriteLine($"{"engine (plan + guard + kill, no probes, no events)",-48} {engine,8:F0} ms   {engine / loop,4:F2}x   (goal <= 1.25)");
        Console.WriteLine($"{"engine API requests",-48} {Median(engineRequests.Select(r => (double)r).ToList()),8:F0}      for {Pods} pods (goal <= {Pods + 5})");

        await RecoveryLatencyAsync(cluster, 20);
    }

    private static async Task<(double Elapsed, int Requests)> EngineKillAsync(IKubernetes client)
    {
        var sw = Stopwatch.StartNew();
        var experiment = Experiment.On(global::Chaos.Testing.Pods.In("bench").WithLabel("app", "fleet")).All()
            .Kill(o => o.MaxParallelism = Parallelism)
            .WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0))
            .WithoutEvents();
        var runner = new global::Chaos.Testing.ExperimentRunner(experiment.ToDefinition(), client);
        var result = await runner.RunAsync(CancellationToken.None);
        var elapsed = sw.Elapsed.TotalMilliseconds;
        if (result.Affected.Count != Pods)
        {
            throw new InvalidOperationException($"the engine affected {result.Affected.Count} pods, expected {Pods}");
        }

        return (elapsed, runner.Api!.RequestCount);
    }

    private static async Task<double> LoopKillAsync(IKubernetes client)
    {
        var sw = Stopwatch.StartNew();
        var list = await client.CoreV1.ListNamespacedPodAsync("bench", labelSelector: "app=fleet");
        await Parallel.ForEachAsync(list.Items.Where(p => p.Status?.Phase == "Running"), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pod, ct) =>
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "bench", new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: ct));
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// From the moment an independent watcher sees the replacement pod Ready to the moment the engine's probe records
    /// that the Deployment is back: both observe through a watch, so the difference is the engine's own delay.
    /// </summary>
    private static async Task RecoveryLatencyAsync(KubernetesEmulator cluster, int runs)
    {
        await cluster.ApplyYamlAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: cart
              namespace: bench
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app: cart
              template:
                metadata:
                  labels:
                    app: cart
                spec:
                  containers:
                    - name: cart
                      image: example/cart:1.0
            """);
        var client = cluster.Client;
        var delays = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var before = await WaitForReadyAsync(client, 3, "app=cart");
            var known = before.Select(p => p.Metadata.Uid).ToHashSet();
            using var stop = new CancellationTokenSource();
            var readyAt = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
            var list = await client.CoreV1.ListNamespacedPodAsync("bench", labelSelector: "app=cart");
            var watcher = Task.Run(async () =>
            {
                try
                {
                    await foreach (var (_, pod) in client.CoreV1.WatchListNamespacedPodAsync("bench", labelSelector: "app=cart", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stop.Token))
                    {
                        if (!known.Contains(pod.Metadata.Uid) && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                        {
                            readyAt.TrySetResult(DateTimeOffset.UtcNow);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // done
                }
            });

            var result = await Experiment.On(global::Chaos.Testing.Pods.In("bench").WithLabel("app", "cart")).Kill().WithoutEvents()
                .Verify(SteadyState.DeploymentAvailable("bench", "cart").RecoversWithin(TimeSpan.FromSeconds(10)))
                .RunAsync(client);
            var observedReady = await readyAt.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await watcher;
            var recovered = result.Probes[0].Samples.Last(s => s.Held).At;
            delays.Add((recovered - observedReady).TotalMilliseconds);
        }

        Console.WriteLine($"{"replacement Ready -> engine records recovery",-48} median {Median(delays),6:F2} ms   max {delays.Max(),6:F2} ms   over {runs} runs (goal median < 50 ms)");
    }

    private static async Task<List<V1Pod>> WaitForReadyAsync(IKubernetes client, int count, string selector = "app=fleet")
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync("bench", labelSelector: selector, cancellationToken: deadline.Token);
            var ready = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true).ToList();
            if (ready.Count == count && pods.Items.Count == count)
            {
                return ready;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
