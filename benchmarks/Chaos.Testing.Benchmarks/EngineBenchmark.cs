using System.Diagnostics;
using System.Globalization;
using Chaos.Testing;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>How the engine benchmark runs: measured rounds, warm-up rounds, the seed of the order, and whether to break the time down.</summary>
internal sealed record EngineBenchmarkOptions(int Rounds, int Warmup, int Seed, bool Breakdown, bool Bare = false, bool Ablate = false);

/// <summary>
/// The engine against a plain loop of deletes with the same parallelism, in the same process on the same emulator,
/// as many interleaved rounds (order randomised per round) and a median of per-round paired ratios; the requests
/// each side sends (from the emulator's audit log); optionally where the engine's extra time goes; and how soon after
/// a replacement is Ready the engine records recovery.
/// </summary>
internal static class EngineBenchmark
{
    private const int Pods = 500;
    private const int Parallelism = 16;
    private const double Goal = 1.10;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(EngineBenchmarkOptions options)
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.NodeCount = 5);
        await cluster.ApplyYamlAsync($"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: bench
            """);
        if (!options.Bare)
        {
            await cluster.ApplyYamlAsync($"""
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
        }

        var client = cluster.Client;

        var engine = new Side("engine", "engine", c => EngineKillAsync(c, events: false));
        var plain = new Side("plain loop", "plain", LoopKillAsync);
        var sides = new List<Side> { engine, plain };
        Side? sameRequests = null;
        Side? withEvents = null;
        if (options.Breakdown)
        {
            sameRequests = new Side("plain loop, engine's requests", "plain+req", c => LoopWithEngineRequestsAsync(c, options.Seed));
            withEvents = new Side("engine with events (the default)", "engine+ev", c => EngineKillAsync(c, events: true));
            sides.Add(sameRequests);
            sides.Add(withEvents);
        }

        Side? throughApi = null;
        if (options.Ablate)
        {
            // plain+req with each request sent through the engine's ApiCalls wrapper (Polly retry, write timeout): engine - plain+api = the rest of the engine.
            if (sameRequests is null)
            {
                sameRequests = new Side("plain loop, engine's requests", "plain+req", c => LoopWithEngineRequestsAsync(c, options.Seed));
                sides.Add(sameRequests);
            }

            throughApi = new Side("plain loop, engine's requests, ApiCalls", "plain+api", c => LoopWithEngineRequestsAsync(c, options.Seed, new ApiCalls(TimeProvider.System)));
            sides.Add(throughApi);
        }

        PrintHeader(options, sides);
        var random = new Random(options.Seed);
        var clock = Stopwatch.StartNew();
        var loads = new List<string> { LoadAverage() };
        for (var round = -options.Warmup; round < options.Rounds; round++)
        {
            var order = sides.OrderBy(_ => random.Next()).ToList();
            foreach (var side in order)
            {
                await SettleAsync(client, options.Bare);
                cluster.Audit.Clear();
                var gcBefore = GC.CollectionCount(0);
                var allocatedBefore = GC.GetTotalAllocatedBytes();
                var cpuBefore = Environment.CpuUsage.TotalTime;
                var run = await side.Run(client);
                run = run with
                {
                    CpuMs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds,
                    Requests = cluster.Audit.Entries.GroupBy(e => $"{e.Verb} {e.Resource}").ToDictionary(g => g.Key, g => g.Count()),
                    Gen0 = GC.CollectionCount(0) - gcBefore,
                    AllocatedMb = (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0,
                };
                if (round >= 0)
                {
                    side.Runs.Add(run);
                }
            }

            var label = round < 0 ? $"warm-up {round + options.Warmup + 1}" : $"round {round + 1}";
            var times = string.Join("  ", order.Select(s => $"{s.Short} {(round < 0 ? "-" : s.Runs[^1].Ms.ToString("F0", Invariant)),5}"));
            var ratio = round < 0 ? string.Empty : $"   engine/plain {engine.Runs[^1].Ms / plain.Runs[^1].Ms:F2}";
            Console.WriteLine($"  {label,-10} {times}{ratio}");
            if (round == (options.Rounds / 2) - 1)
            {
                loads.Add(LoadAverage());
            }
        }

        loads.Add(LoadAverage());
        Console.WriteLine();
        Console.WriteLine($"  {options.Rounds} measured rounds in {clock.Elapsed.TotalSeconds:F0} s; /proc/loadavg (start, middle, end): {string.Join(" | ", loads)}");
        Console.WriteLine();
        Console.WriteLine($"  {"kill " + Pods + " pods, wall clock",-34} {"median",9} {"IQR (Q1-Q3)",13} {"min-max",13}    process CPU: median (IQR)");
        foreach (var side in sides)
        {
            var ms = side.Runs.Select(r => r.Ms).ToList();
            var cpu = side.Runs.Select(r => r.CpuMs).ToList();
            Console.WriteLine($"  {side.Name,-34} {Median(ms),6:F1} ms {Quantile(ms, 0.25),6:F0}-{Quantile(ms, 0.75),-6:F0} {ms.Min(),6:F0}-{ms.Max(),-6:F0}    {Median(cpu),6:F1} ms ({Quantile(cpu, 0.25):F0}-{Quantile(cpu, 0.75):F0})");
        }

        Console.WriteLine();
        PrintRatio("engine / plain loop", engine, plain, goal: true);
        if (options.Breakdown)
        {
            PrintRatio("engine / plain loop with engine's requests", engine, sameRequests!, goal: false);
            PrintRatio("plain loop with engine's requests / plain loop", sameRequests!, plain, goal: false);
            PrintRatio("engine with events / engine", withEvents!, engine, goal: false);
        }

        if (throughApi is not null)
        {
            PrintRatio("engine / plain+api", engine, throughApi, goal: false);
            PrintRatio("plain+api / plain+req (the ApiCalls wrapper)", throughApi, sameRequests ?? plain, goal: false);
        }

        Console.WriteLine();
        Console.WriteLine("  API requests per run (emulator audit log, median):");
        foreach (var side in sides)
        {
            var kinds = side.Runs.SelectMany(r => r.Requests.Keys).Distinct().Order(StringComparer.Ordinal);
            var counts = kinds.Select(k => $"{k} {Median(side.Runs.Select(r => (double)r.Requests.GetValueOrDefault(k)).ToList()):F0}");
            var total = Median(side.Runs.Select(r => (double)r.Requests.Values.Sum()).ToList());
            Console.WriteLine($"    {side.Name,-34} {total,5:F0} = {string.Join(", ", counts)}");
        }

        var counted = Median(engine.Runs.Select(r => (double)r.EngineRequests).ToList());
        Console.WriteLine($"    {"engine's own count (ApiCalls)",-34} {counted,5:F0}   (goal <= {Pods + 5})");

        if (options.Breakdown)
        {
            PrintBreakdown(engine, plain, sameRequests!, withEvents!);
        }

        await RecoveryLatencyAsync(cluster, 20);
    }

    private static void PrintHeader(EngineBenchmarkOptions options, List<Side> sides)
    {
        Console.WriteLine();
        Console.WriteLine($"Engine benchmark: kill {Pods} pods {(options.Bare ? "without owner (--bare: nothing rebuilds them during the kill)" : "of a Deployment (rebuilt by its controllers while being killed)")}, parallelism {Parallelism}, {Environment.ProcessorCount} cores, one emulator, one process");
        Console.WriteLine($"  {options.Rounds} measured rounds after {options.Warmup} warm-up rounds (not counted); each round runs every side once, in an order");
        Console.WriteLine($"  shuffled per round (seed {options.Seed}). Before each side: all {Pods} pods Ready again, 200 ms settle, a full GC (so a side");
        Console.WriteLine("  is not billed for the previous side's garbage or the fleet rebuild; its own allocations still cost it).");
        Console.WriteLine("  plain loop : LIST pods, then DELETE each Running pod with grace 0 (no precondition).");
        Console.WriteLine("  engine     : Experiment.On(Pods.In(\"bench\").WithLabel(\"app\", \"fleet\")).All().Kill(MaxParallelism 16), safety opened to 100%,");
        Console.WriteLine("               no probes, WithoutEvents(). On the wire it also GETs the namespace (protection guard), LISTs the nodes");
        Console.WriteLine("               labelled chaos.testing/exclude and sends each DELETE with a uid precondition: that is work the user pays");
        Console.WriteLine("               for, so it is measured, not removed.");
        if (options.Breakdown || options.Ablate)
        {
            Console.WriteLine("  plain+req  : the plain loop sending exactly the engine's requests (GET namespace, LIST nodes, LIST pods, DELETEs with");
            Console.WriteLine("               uid precondition in the engine's shuffled order), without the engine's code: engine - plain+req = in-process cost.");
            Console.WriteLine("  engine+ev  : the engine as a user gets it by default, with a Kubernetes Event (POST) per killed pod.");
        }

        Console.WriteLine($"  Ratio: median of the per-round paired ratios engine_i / plain_i (same round, same load) with its IQR and a 95% CI of that");
        Console.WriteLine("  median; also the ratio of the medians. Process CPU (user + system, whole process: engine, client, emulator and its");
        Console.WriteLine("  controllers) is shown too: it counts only this process's work, so other processes move it less than the wall clock.");
        Console.WriteLine($"  Sides: {string.Join(", ", sides.Select(s => s.Short))}");
        Console.WriteLine();
    }

    private static void PrintRatio(string name, Side a, Side b, bool goal)
    {
        var ratios = a.Runs.Zip(b.Runs, (x, y) => x.Ms / y.Ms).ToList();
        var cpuRatios = a.Runs.Zip(b.Runs, (x, y) => x.CpuMs / y.CpuMs).ToList();
        var ofMedians = Median(a.Runs.Select(r => r.Ms).ToList()) / Median(b.Runs.Select(r => r.Ms).ToList());
        var diffs = a.Runs.Zip(b.Runs, (x, y) => x.Ms - y.Ms).ToList();
        var (low, high) = MedianConfidence(ratios);
        Console.WriteLine($"  {name}{(goal ? $" (goal <= {Goal:F2})" : string.Empty)}");
        Console.WriteLine($"    wall clock: median of paired ratios {Median(ratios):F3}x  IQR {Quantile(ratios, 0.25):F3}-{Quantile(ratios, 0.75):F3}  95% CI of the median {low:F3}-{high:F3}  "
            + $"| ratio of medians {ofMedians:F3}x | median paired difference {Median(diffs):+0.0;-0.0} ms");
        Console.WriteLine($"    process CPU: median of paired ratios {Median(cpuRatios):F3}x  IQR {Quantile(cpuRatios, 0.25):F3}-{Quantile(cpuRatios, 0.75):F3}");
    }

    /// <summary>A distribution-free ~95% confidence interval of the median: order statistics from the binomial (normal approximation).</summary>
    private static (double Low, double High) MedianConfidence(List<double> values)
    {
        var sorted = values.Order().ToList();
        var n = sorted.Count;
        var k = Math.Max(0, (int)Math.Floor((n - (1.96 * Math.Sqrt(n))) / 2));
        return (sorted[k], sorted[Math.Min(n - 1, n - 1 - k)]);
    }

    private static void PrintBreakdown(Side engine, Side plain, Side sameRequests, Side withEvents)
    {
        Console.WriteLine();
        Console.WriteLine("  Where the time goes (median over rounds, ms; phases from the engine's timeline, wall clock):");
        foreach (var side in new[] { engine, plain, sameRequests, withEvents })
        {
            foreach (var phase in side.Runs[0].Phases.Keys)
            {
                Console.WriteLine($"    {side.Short,-10} {phase,-52} {Median(side.Runs.Select(r => r.Phases[phase]).ToList()),7:F1}");
            }
        }

        // Paired per round: the engine's reads before its first delete against the loop's single LIST, and the deletes against the deletes.
        var gap = Median(engine.Runs.Zip(plain.Runs, (e, p) => e.Ms - p.Ms).ToList());
        var beforeDeletes = Median(engine.Runs.Zip(plain.Runs, (e, p) => e.BeforeDeletes - p.BeforeDeletes).ToList());
        var deletes = Median(engine.Runs.Zip(plain.Runs, (e, p) => e.Deletes - p.Deletes).ToList());
        var after = Median(engine.Runs.Zip(plain.Runs, (e, p) => e.AfterDeletes - p.AfterDeletes).ToList());
        var wire = Median(sameRequests.Runs.Zip(plain.Runs, (s, p) => s.Ms - p.Ms).ToList());
        var inProcess = Median(engine.Runs.Zip(sameRequests.Runs, (e, s) => e.Ms - s.Ms).ToList());
        var events = Median(withEvents.Runs.Zip(engine.Runs, (w, e) => w.Ms - e.Ms).ToList());
        var cpuGap = Median(engine.Runs.Zip(plain.Runs, (e, p) => e.CpuMs - p.CpuMs).ToList());
        var cpuWire = Median(sameRequests.Runs.Zip(plain.Runs, (s, p) => s.CpuMs - p.CpuMs).ToList());
        var cpuInProcess = Median(engine.Runs.Zip(sameRequests.Runs, (e, s) => e.CpuMs - s.CpuMs).ToList());
        Console.WriteLine();
        Console.WriteLine($"  Paired differences engine - plain (median of per-round differences; the parts need not add up exactly):");
        Console.WriteLine($"    total gap                                            {gap,+8:+0.0;-0.0} ms");
        Console.WriteLine($"    before the first delete (guard, plan, lists)         {beforeDeletes,+8:+0.0;-0.0} ms   {Share(beforeDeletes, gap)}");
        Console.WriteLine($"    the {Pods} deletes (first to last)                       {deletes,+8:+0.0;-0.0} ms   {Share(deletes, gap)}");
        Console.WriteLine($"    after the last delete (recover, report)              {after,+8:+0.0;-0.0} ms   {Share(after, gap)}");
        Console.WriteLine($"    extra requests on the wire (plain+req - plain)       {wire,+8:+0.0;-0.0} ms   {Share(wire, gap)}");
        Console.WriteLine($"    engine code in process (engine - plain+req)          {inProcess,+8:+0.0;-0.0} ms   {Share(inProcess, gap)}");
        Console.WriteLine($"    events, not in the comparison (engine+ev - engine)   {events,+8:+0.0;-0.0} ms");
        Console.WriteLine($"    process CPU: gap {cpuGap:+0.0;-0.0} ms = extra requests {cpuWire:+0.0;-0.0} ms + engine code {cpuInProcess:+0.0;-0.0} ms (paired medians)");
        Console.WriteLine($"    allocated per run, whole process (MB, median): engine {Median(engine.Runs.Select(r => r.AllocatedMb).ToList()):F1}, plain {Median(plain.Runs.Select(r => r.AllocatedMb).ToList()):F1}, "
            + $"plain+req {Median(sameRequests.Runs.Select(r => r.AllocatedMb).ToList()):F1}; gen0 GCs per run: engine {Median(engine.Runs.Select(r => (double)r.Gen0).ToList()):F0}, plain {Median(plain.Runs.Select(r => (double)r.Gen0).ToList()):F0}");

        Console.WriteLine();
        Console.WriteLine("  In-process cost per call, single thread, no I/O (CPU the engine adds to each request):");
        MicroBenchmarks();
    }

    private static string Share(double part, double gap) => Math.Abs(gap) < 0.5 ? string.Empty : $"({part / gap:P0} of the gap)";

    /// <summary>The engine's wrappers around one request, with a call that completes at once: what they add per delete in CPU.</summary>
    private static void MicroBenchmarks()
    {
        const int N = 200_000;
        var api = new ApiCalls(TimeProvider.System);
        Func<CancellationToken, Task<int>> call = _ => Task.FromResult(1);
        var direct = Time(N, () => call(CancellationToken.None));
        var read = Time(N, () => api.CallAsync("list", "pods", "bench", call, CancellationToken.None));
        var write = Time(N, () => api.CallAsync("delete", "pods", "bench", call, CancellationToken.None));
        var recorder = new ExperimentRecorder(TimeProvider.System, NullLogger.Instance);
        var affected = Time(N, () =>
        {
            recorder.Affected("Pod", "bench", "fleet-abc", "killed (grace 0s)");
            return Task.CompletedTask;
        });
        var events = new ChaosEvents(null!, api, recorder, "0123456789ab", enabled: false);
        var meta = new V1Pod { Metadata = new V1ObjectMeta { Name = "fleet-abc", NamespaceProperty = "bench" } };
        var disabledEvent = Time(N, () => events.PublishAsync(meta, "ChaosInjected", "pod killed with grace period 0s", CancellationToken.None));
        Row("direct call (baseline)", direct);
        Row("ApiCalls.CallAsync, read (Polly retry pipeline)", read);
        Row("ApiCalls.CallAsync, write (+ 30 s timeout token)", write);
        Row("ExperimentRecorder.Affected (NullLogger)", affected);
        Row("ChaosEvents.PublishAsync, disabled", disabledEvent);

        static void Row(string name, double ns) =>
            Console.WriteLine($"    {name,-52} {ns,8:F0} ns/call   x {Pods} = {ns * Pods / 1e6,6:F2} ms CPU");

        static double Time(int n, Func<Task> action)
        {
            for (var i = 0; i < n / 10; i++)
            {
                action().GetAwaiter().GetResult();
            }

            GC.Collect();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                action().GetAwaiter().GetResult();
            }

            return sw.Elapsed.TotalNanoseconds / n;
        }
    }

    private static async Task<Run> EngineKillAsync(IKubernetes client, bool events)
    {
        var start = DateTimeOffset.UtcNow;
        var sw = Stopwatch.StartNew();
        var experiment = Experiment.On(global::Chaos.Testing.Pods.In("bench").WithLabel("app", "fleet")).All()
            .Kill(o => o.MaxParallelism = Parallelism)
            .WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0));
        if (!events)
        {
            experiment = experiment.WithoutEvents();
        }

        var runner = new global::Chaos.Testing.ExperimentRunner(experiment.ToDefinition(), client);
        var result = await runner.RunAsync(CancellationToken.None);
        var elapsed = sw.Elapsed.TotalMilliseconds;
        if (result.Affected.Count != Pods || result.Verdict != ExperimentVerdict.Passed)
        {
            throw new InvalidOperationException($"the engine affected {result.Affected.Count} pods ({result.Verdict}: {result.FailureReason}), expected {Pods}");
        }

        // The timeline: plan (start), guard (namespaces), plan (picked), guard (share), check-before, inject, [affected...], recover, report.
        var steps = result.Timeline;
        DateTimeOffset At(string phase, int occurrence = 0) => steps.Where(s => s.Phase == phase).ElementAt(occurrence).At;
        double Ms(DateTimeOffset from, DateTimeOffset to) => (to - from).TotalMilliseconds;
        var firstDelete = At("inject");
        var lastDelete = result.Affected.Max(a => a.At);
        var end = start + sw.Elapsed;
        var phases = new Dictionary<string, double>
        {
            ["setup (build, validate, runner, Polly pipeline)"] = Ms(start, At("plan")),
            ["guard namespace (GET namespace)"] = Ms(At("plan"), At("guard")),
            ["plan (LIST nodes, LIST pods, filter, sort, pick)"] = Ms(At("guard"), At("plan", 1)),
            ["guard share, check-before"] = Ms(At("plan", 1), firstDelete),
            [$"inject: {Pods} deletes (to the last one recorded)"] = Ms(firstDelete, lastDelete),
            ["recover (no-op for kill; events if enabled)"] = Ms(lastDelete, At("recover")),
            ["report"] = Ms(At("recover"), end),
        };
        return new Run(elapsed, runner.Api!.RequestCount, phases, Ms(start, firstDelete), Ms(firstDelete, lastDelete), Ms(lastDelete, end));
    }

    private static async Task<Run> LoopKillAsync(IKubernetes client)
    {
        var sw = Stopwatch.StartNew();
        var list = await client.CoreV1.ListNamespacedPodAsync("bench", labelSelector: "app=fleet");
        var listed = sw.Elapsed.TotalMilliseconds;
        await Parallel.ForEachAsync(list.Items.Where(p => p.Status?.Phase == "Running"), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pod, ct) =>
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "bench", new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: ct));
        var elapsed = sw.Elapsed.TotalMilliseconds;
        return new Run(elapsed, 0, new() { ["LIST pods"] = listed, [$"{Pods} deletes"] = elapsed - listed }, listed, elapsed - listed, 0);
    }

    /// <summary>The plain loop sending what the engine sends, in the engine's order, without any of the engine's code.</summary>
    private static async Task<Run> LoopWithEngineRequestsAsync(IKubernetes client, int seed, ApiCalls? api = null)
    {
        var sw = Stopwatch.StartNew();
        await client.CoreV1.ReadNamespaceAsync("bench");
        await client.CoreV1.ListNodeAsync(labelSelector: $"{SafetyOptions.ExclusionLabel}=true");
        var list = await client.CoreV1.ListNamespacedPodAsync("bench", labelSelector: "app=fleet");
        var running = list.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running").OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        var pods = Planner.Pick(running, running.Count, seed);
        var listed = sw.Elapsed.TotalMilliseconds;
        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pod, ct) =>
        {
            var options = new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } };
            if (api is null)
            {
                await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "bench", options, cancellationToken: ct);
            }
            else
            {
                await api.CallAsync("delete", "pods", "bench", c => client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "bench", options, cancellationToken: c), ct);
            }
        });
        var elapsed = sw.Elapsed.TotalMilliseconds;
        return new Run(elapsed, 0, new() { ["GET namespace, LIST nodes, LIST pods, shuffle"] = listed, [$"{Pods} deletes with uid precondition"] = elapsed - listed }, listed, elapsed - listed, 0);
    }

    /// <summary>Waits until the fleet is whole and Ready, lets the controllers settle, and collects the garbage of what came before.</summary>
    private static async Task SettleAsync(IKubernetes client, bool bare)
    {
        if (bare)
        {
            // No owner: nothing rebuilds the pods while a side kills them, so the window holds only the kill.
            var round = Guid.NewGuid().ToString("N")[..6];
            await Parallel.ForEachAsync(Enumerable.Range(0, Pods), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, ct) =>
                await client.CoreV1.CreateNamespacedPodAsync(
                    new V1Pod
                    {
                        Metadata = new V1ObjectMeta { Name = $"fleet-{round}-{i}", Labels = new Dictionary<string, string> { ["app"] = "fleet" } },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "example/app:1.0" }] },
                    },
                    "bench",
                    cancellationToken: ct));
        }

        await WaitForReadyAsync(client, Pods);
        await Task.Delay(200);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
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

        Console.WriteLine();
        Console.WriteLine($"  {"replacement Ready -> engine records recovery",-48} median {Median(delays),6:F2} ms   max {delays.Max(),6:F2} ms   over {runs} runs (goal median < 50 ms)");
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

    private static double Median(List<double> values) => Quantile(values, 0.5);

    /// <summary>The q-quantile with linear interpolation between the closest ranks (R type 7).</summary>
    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        var position = (sorted.Count - 1) * q;
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>One timed kill: total, the engine's own request count, named phases, and the three spans paired across sides.</summary>
    private sealed record Run(double Ms, int EngineRequests, Dictionary<string, double> Phases, double BeforeDeletes, double Deletes, double AfterDeletes)
    {
        public IReadOnlyDictionary<string, int> Requests { get; init; } = new Dictionary<string, int>();

        public int Gen0 { get; init; }

        /// <summary>Gets the CPU time of the whole process (user + system) during the run: the engine and the emulator, its controllers included.</summary>
        public double CpuMs { get; init; }

        public double AllocatedMb { get; init; }
    }

    private sealed class Side(string name, string shortName, Func<IKubernetes, Task<Run>> run)
    {
        public string Name => name;

        public string Short => shortName;

        public Func<IKubernetes, Task<Run>> Run => run;

        public List<Run> Runs { get; } = [];
    }
}
