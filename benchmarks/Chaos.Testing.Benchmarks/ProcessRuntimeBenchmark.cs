using System.Diagnostics;
using System.Globalization;
using Chaos.Testing;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

/// <summary>
/// The process runtime against the simulated kubelet, in one process: pod create → Ready (p50, p90), a 100-replica
/// Deployment to all Ready, memory per running pod, and the engine's recovery detection measured from the moment the
/// replacement's readiness probe first passed as the runtime recorded it.
/// </summary>
internal static class ProcessRuntimeBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(int pods, int rounds)
    {
        if (KubernetesEmulator.WhyUnavailable(PodRuntime.Processes) is { } why)
        {
            Console.WriteLine($"process runtime benchmark skipped: {why}");
            return;
        }

        Console.WriteLine($"Process runtime benchmark: {pods} pods one at a time, a 100-replica Deployment, {rounds} kill rounds; {Environment.ProcessorCount} cores");
        var simulated = await CreateToReadyAsync(PodRuntime.Simulated, pods);
        var processes = await CreateToReadyAsync(PodRuntime.Processes, pods);
        Console.WriteLine($"  pod create → Ready, simulated kubelet (20 ms + 20 ms delays): p50 {Ms(P(simulated, 50))}  p90 {Ms(P(simulated, 90))}");
        Console.WriteLine($"  pod create → Ready, process runtime (pause image, no probe):  p50 {Ms(P(processes, 50))}  p90 {Ms(P(processes, 90))}  ratio p50 {P(processes, 50) / P(simulated, 50):F2}  (goal: p50 < 150 ms)");

        var (simulatedFleet, _) = await FleetAsync(PodRuntime.Simulated);
        var (processFleet, perPod) = await FleetAsync(PodRuntime.Processes);
        Console.WriteLine($"  100-replica Deployment to all Ready: simulated {Ms(simulatedFleet)}, process runtime {Ms(processFleet)}, ratio {processFleet / simulatedFleet:F2}");
        Console.WriteLine($"  memory per running pod (pause): {perPod / 1024.0:F0} KiB resident (launcher, shell and sleep)");

        var detection = await RecoveryDetectionAsync(rounds);
        Console.WriteLine($"  recovery detection (replacement's readiness probe passed → engine recorded recovery), {detection.Count} rounds: p50 {Ms(P(detection, 50))}  p99 {Ms(P(detection, 99))}  max {Ms(detection.Max())}  (goal: p99 < 50 ms)");
    }

    private static async Task<List<double>> CreateToReadyAsync(PodRuntime runtime, int count)
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = runtime);
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } });
        var times = new List<double>();
        for (var i = 0; i < count + 3; i++)
        {
            var watch = Stopwatch.StartNew();
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"p{i}" },
                Spec = new V1PodSpec { NodeName = "node-1", Containers = [new V1Container { Name = "main", Image = "registry.example/pause:3.9" }] },
            }, "bench");
            await UntilAsync(async () => Ready(await cluster.Client.CoreV1.ReadNamespacedPodAsync($"p{i}", "bench")));
            if (i >= 3)
            {
                times.Add(watch.Elapsed.TotalMilliseconds); // the first three warm up the JIT and the network
            }
        }

        return times;
    }

    private static async Task<(double Ms, double BytesPerPod)> FleetAsync(PodRuntime runtime)
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = runtime);
        await cluster.ApplyYamlAsync(Fleet(100, probe: false));
        var watch = Stopwatch.StartNew();
        await UntilAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("bench")).Items.Count(Ready) == 100, TimeSpan.FromMinutes(5));
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var rss = cluster.ProcessRunId is { } run ? ResidentBytesOf(run) : 0;
        return (elapsed, rss / 100.0);
    }

    private static async Task<List<double>> RecoveryDetectionAsync(int rounds)
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        await cluster.ApplyYamlAsync(Fleet(3, probe: true));
        var client = cluster.Client;
        await UntilAsync(async () => (await client.CoreV1.ListNamespacedPodAsync("bench")).Items.Count(Ready) == 3, TimeSpan.FromMinutes(2));
        var latencies = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var before = (await client.CoreV1.ListNamespacedPodAsync("bench")).Items.Select(p => p.Name()).ToHashSet();
            var result = await Experiment.On(Pods.In("bench").WithLabel("app", "fleet")).One().Kill().For(TimeSpan.FromMilliseconds(100))
                .WithSafety(s => s.MaxPercentage = 100)
                .Verify(SteadyState.PodsReady(Pods.In("bench").WithLabel("app", "fleet"), 3).BeforeAndAfter(TimeSpan.FromSeconds(60)))
                .RunAsync(client);
            var samples = result.Probes.Single().Samples;
            var broke = samples.FindIndexOf(s => !s.Held);
            var back = broke < 0 ? null : samples.Skip(broke).FirstOrDefault(s => s.Held);
            var replacement = cluster.ReadinessLog!.Where(r => !before.Contains(r.Pod)).OrderBy(r => r.At).LastOrDefault();
            if (back is not null && replacement.Pod is not null)
            {
                latencies.Add((back.At - replacement.At).TotalMilliseconds);
            }
        }

        return latencies;
    }

    private static int FindIndexOf<T>(this IReadOnlyList<T> list, Func<T, bool> match)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (match(list[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Fleet(int replicas, bool probe) => $$"""
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
          replicas: {{replicas}}
          selector:
            matchLabels:
              app: fleet
          template:
            metadata:
              labels:
                app: fleet
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: main
                  image: {{(probe ? "chaos-testing/echo:1" : "registry.example/pause:3.9")}}
        {{(probe ? "          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: 8080\n            periodSeconds: 1\n" : string.Empty)}}
        """;

    private static bool Ready(V1Pod pod) => pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static long ResidentBytesOf(string run)
    {
        long total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cgroup")).Contains($"/cte-{run}/", StringComparison.Ordinal))
                {
                    var rss = File.ReadLines(Path.Combine(dir, "status")).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                    total += long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) * 1024;
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // the process ended meanwhile
            }
        }

        return total;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("the benchmark's cluster did not get there in time");
            }

            await Task.Delay(2);
        }
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Ms(double ms) => ms.ToString("F1", Invariant) + " ms";
}
