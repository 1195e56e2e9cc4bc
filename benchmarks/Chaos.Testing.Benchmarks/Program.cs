// Emulator throughput and watch latency, measured in one process, each figure also given as a ratio to a
// baseline run in the same process on the same server (GET /version: routing + JSON, no store work); then the engine
// benchmark (kill 500 pods: engine against a plain loop, paired rounds).
//   dotnet run -c Release --project benchmarks/Chaos.Testing.Benchmarks [-- --seconds 3 --clients 16]
//   process runtime only (Linux, root): [-- --processes-only --pods 30 --kill-rounds 30]
//   engine part only: [-- --engine-only --rounds 40 --warmup 3 --seed 20261207 --breakdown --bare]; emulator part only: [-- --emulator-only]
using System.Diagnostics;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

var engineOptions = new EngineBenchmarkOptions(
    Rounds: Math.Max(2, ReadArg(args, "--rounds", 40)),
    Warmup: Math.Max(0, ReadArg(args, "--warmup", 3)),
    Seed: ReadArg(args, "--seed", 20261207),
    Breakdown: args.Contains("--breakdown"),
    Bare: args.Contains("--bare"),
    Ablate: args.Contains("--ablate"));
if (args.Contains("--processes-only"))
{
    await ProcessRuntimeBenchmark.RunAsync(ReadArg(args, "--pods", 30), ReadArg(args, "--kill-rounds", 30));
    return 0;
}

if (args.Contains("--engine-only"))
{
    await EngineBenchmark.RunAsync(engineOptions);
    return 0;
}

var seconds = ReadArg(args, "--seconds", 3);
var clients = ReadArg(args, "--clients", 16);
var window = TimeSpan.FromSeconds(seconds);

await using var cluster = await KubernetesEmulator.StartAsync();
await cluster.ApplyYamlAsync("""
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bench
    """);
var sessions = Enumerable.Range(0, clients).Select(_ => new Kubernetes(cluster.CreateClientConfiguration())).ToArray();
var http = Enumerable.Range(0, clients).Select(_ => new HttpClient { BaseAddress = cluster.BaseAddress }).ToArray();

// 50 bare pods to get and list (no owner: the controllers leave them alone once they run).
for (var i = 0; i < 50; i++)
{
    await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod($"bench-{i}"), "bench");
}

Console.WriteLine($"Kubernetes emulator benchmark: {clients} concurrent clients, {seconds}s per measurement, {Environment.ProcessorCount} cores");
Console.WriteLine();

// Warm up every path once so JIT and connection setup are not measured.
await Measure("warm-up", TimeSpan.FromMilliseconds(500), async i => await http[i].GetStringAsync("/version"));
await Measure("warm-up", TimeSpan.FromMilliseconds(500), async i => await sessions[i].CoreV1.ReadNamespacedPodAsync("bench-1", "bench"));

var baseline = await Measure("baseline GET /version (HttpClient)", window, async i => await http[i].GetStringAsync("/version"));
var get = await Measure("pod get (KubernetesClient)", window, async i => await sessions[i].CoreV1.ReadNamespacedPodAsync($"bench-{i % 50}", "bench"));
var list = await Measure("pod list, 50 pods (KubernetesClient)", window, async i => await sessions[i].CoreV1.ListNamespacedPodAsync("bench"));

// Deletes need a supply of victims: create them first (not measured), then delete them all with grace 0.
const int Victims = 3000;
for (var i = 0; i < Victims; i++)
{
    await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod($"victim-{i}"), "bench");
}

var next = -1;
var deleteWatch = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
{
    int n;
    while ((n = Interlocked.Increment(ref next)) < Victims)
    {
        await sessions[i].CoreV1.DeleteNamespacedPodAsync($"victim-{n}", "bench", gracePeriodSeconds: 0);
    }
})));
var delete = Victims / deleteWatch.Elapsed.TotalSeconds;

Console.WriteLine();
Row("baseline GET /version", baseline, baseline);
Row("pod get", get, baseline);
Row("pod list (50 pods)", list, baseline);
Row("pod delete", delete, baseline);

// Watch delivery: the time from sending a label patch to the MODIFIED event reaching the client.
var roundTrips = new List<double>();
for (var i = 0; i < 200; i++)
{
    var sw = Stopwatch.StartNew();
    await http[0].GetStringAsync("/version");
    roundTrips.Add(sw.Elapsed.TotalMilliseconds);
}

var latencies = await WatchLatencyAsync(cluster.Client, 200);
Console.WriteLine();
Console.WriteLine($"{"watch event delivery (patch sent -> MODIFIED received)",-58} p50 {Percentile(latencies, 50),7:F3} ms  p99 {Percentile(latencies, 99),7:F3} ms");
Console.WriteLine($"{"baseline round trip GET /version",-58} p50 {Percentile(roundTrips, 50),7:F3} ms  p99 {Percentile(roundTrips, 99),7:F3} ms");
Console.WriteLine($"{"ratio watch p50 / baseline p50",-58} {Percentile(latencies, 50) / Percentile(roundTrips, 50),7:F2}x");

foreach (var session in sessions)
{
    session.Dispose();
}

if (!args.Contains("--emulator-only"))
{
    await EngineBenchmark.RunAsync(engineOptions);
}

foreach (var client in http)
{
    client.Dispose();
}

return 0;

async Task<double> Measure(string name, TimeSpan duration, Func<int, Task> operation)
{
    long count = 0;
    var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
    {
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            await operation(i);
            Interlocked.Increment(ref count);
        }
    })));
    return count / sw.Elapsed.TotalSeconds;
}

static void Row(string name, double rate, double baseline) =>
    Console.WriteLine($"{name,-28} {rate,10:F0} req/s   {rate / baseline,6:F2}x baseline");

static async Task<List<double>> WatchLatencyAsync(IKubernetes client, int events)
{
    // Start from the current version (the pod's own may be older than the watch history).
    var current = await client.CoreV1.ListNamespacedPodAsync("bench", fieldSelector: "metadata.name=bench-0");
    var received = new System.Collections.Concurrent.BlockingCollection<(string Value, long Timestamp)>();
    using var stop = new CancellationTokenSource();
    var consumer = Task.Run(async () =>
    {
        try
        {
            await foreach (var (type, p) in client.CoreV1.WatchListNamespacedPodAsync(
                "bench", fieldSelector: "metadata.name=bench-0", resourceVersion: current.Metadata.ResourceVersion, cancellationToken: stop.Token))
            {
                if (type == WatchEventType.Modified && p.Metadata.Labels?.TryGetValue("tick", out var tick) == true)
                {
                    received.Add((tick, Stopwatch.GetTimestamp()));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped at the end of the measurement
        }
    });

    var latencies = new List<double>();
    for (var i = 0; i < events; i++)
    {
        var value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var patch = new V1Patch($"{{\"metadata\":{{\"labels\":{{\"tick\":\"{value}\"}}}}}}", V1Patch.PatchType.MergePatch);
        var sent = Stopwatch.GetTimestamp();
        await client.CoreV1.PatchNamespacedPodAsync(patch, "bench-0", "bench");
        while (true)
        {
            if (!received.TryTake(out var e, TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"watch event {value} did not arrive within 10 s");
            }

            if (e.Value == value)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent, e.Timestamp).TotalMilliseconds);
                break;
            }
        }
    }

    await stop.CancelAsync();
    await consumer;
    return latencies;
}

static double Percentile(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
}

static V1Pod Pod(string name) => new()
{
    Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "bench" } },
    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "example/app:1.0" }] },
};

static int ReadArg(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
