using k8s;
using k8s.Models;

namespace Chaos.Testing.K3s.Tests;

/// <summary>Starts the K3s container once for the class, on first use (so nothing starts when every test is skipped).</summary>
public sealed class K3sFixture : IAsyncLifetime
{
    private readonly Lazy<Task<K3sChaosCluster>> _cluster = new(() => K3sChaosCluster.StartAsync(K3sChaosClusterOptions.FromEnvironment()));

    public Task<K3sChaosCluster> ClusterAsync() => _cluster.Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster.IsValueCreated && _cluster.Value.IsCompletedSuccessfully)
        {
            await _cluster.Value.Result.DisposeAsync();
        }
    }
}

/// <summary>
/// Real K3s (needs Docker): skipped with the DockerProbe reason where Docker is not reachable, and the network test also
/// where the Docker host's kernel lacks sch_netem (the reason names the fix).
/// </summary>
public sealed class K3sIntegrationTests(K3sFixture fixture) : IClassFixture<K3sFixture>
{
    // The pause image K3s itself uses for pod sandboxes: no extra pull beyond what K3s needs (or preload it with the air-gap tarball).
    private static readonly string AppImage = Environment.GetEnvironmentVariable("CHAOS_K3S_TEST_IMAGE") ?? "rancher/mirrored-pause:3.6";

    // busybox has ping; the payload image (netshoot) is the delay fault's default. Preload both where there is no registry.
    private static readonly string ProbeImage = Environment.GetEnvironmentVariable("CHAOS_K3S_PROBE_IMAGE") ?? "busybox:1.36";

    private static string Shop => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          labels:
            app: cart
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: cart
          template:
            metadata:
              labels:
                app: cart
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: cart
                image: {AppImage}
        """;

    [DockerFact]
    public async Task Cluster_is_ready_with_ephemeral_containers()
    {
        var cluster = await fixture.ClusterAsync();

        cluster.Kind.Should().Be("k3s");
        (await cluster.Client.CoreV1.ListNodeAsync()).Items.Should().NotBeEmpty();
        (await cluster.CheckCapabilitiesAsync()).Should().BeEmpty();
    }

    [DockerFact]
    public async Task Killing_a_cart_pod_keeps_the_deployment_available()
    {
        var cluster = await fixture.ClusterAsync();
        await using var ns = await cluster.CreateTestNamespaceAsync(nameof(Killing_a_cart_pod_keeps_the_deployment_available));
        await cluster.ApplyAsync(Shop, ns.Name);
        await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromMinutes(2));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart")).Kill()
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart"))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
    }

    [DockerFact]
    public async Task Restarting_a_cart_pod_keeps_the_deployment_available()
    {
        var cluster = await fixture.ClusterAsync();
        await using var ns = await cluster.CreateTestNamespaceAsync(nameof(Restarting_a_cart_pod_keeps_the_deployment_available));
        await cluster.ApplyAsync(Shop, ns.Name);
        await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromMinutes(2));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart")).Restart()
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart"))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
    }

    [DockerFact]
    public async Task Draining_the_node_evicts_the_cart_pods_and_uncordons_it_afterwards()
    {
        var cluster = await fixture.ClusterAsync();
        await using var ns = await cluster.CreateTestNamespaceAsync(nameof(Draining_the_node_evicts_the_cart_pods_and_uncordons_it_afterwards));
        await cluster.ApplyAsync(Shop, ns.Name);
        await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromMinutes(2));
        var node = (await cluster.Client.CoreV1.ListNodeAsync()).Items.Single();

        // K3s runs one node: draining it takes the whole cluster, which the guards refuse unless told otherwise.
        var result = await Experiment.On(Nodes.Hosting(Pods.In(ns.Name).WithLabel("app", "cart")))
            .Drain(o => o.Timeout = TimeSpan.FromMinutes(1))
            .For(TimeSpan.FromSeconds(2))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromMinutes(2)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        result.Affected.Count(a => a.Kind == "Pod" && a.Namespace == ns.Name && a.Action.StartsWith("evicted from", StringComparison.Ordinal))
            .Should().Be(2, "both cart pods run on the only node (other tests' namespaces may still be going away)");
        result.Affected.Should().NotContain(a => a.Namespace == "kube-system", "protected namespaces are skipped by the drain");
        (await cluster.Client.CoreV1.ReadNodeAsync(node.Metadata.Name)).Spec.Unschedulable.Should().NotBe(true);
    }

    [DockerSkippableFact]
    public async Task Delaying_a_cart_pods_network_is_seen_from_a_probe_pod_and_gone_after_recovery()
    {
        var cluster = await fixture.ClusterAsync();
        var missing = await cluster.CheckCapabilitiesAsync(checkNetem: true);
        Skip.If(missing.Count > 0, $"this K3s cannot run network faults: {string.Join("; ", missing)}");
        await using var ns = await cluster.CreateTestNamespaceAsync(nameof(Delaying_a_cart_pods_network_is_seen_from_a_probe_pod_and_gone_after_recovery));
        await cluster.ApplyAsync(Shop, ns.Name);
        await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromMinutes(2));
        var target = (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns.Name, labelSelector: "app=cart")).Items.First(p => p.Status?.PodIP is not null);

        var before = await PingAsync(cluster, ns.Name, "probe-before", target.Status.PodIP);

        // Replies leave the target through its delayed eth0: the probe sees the delay on every round trip.
        // One named pod is the whole target, so the share guards (at most 50%, one left untouched) are lifted on purpose:
        // the other cart replica stays untouched anyway.
        var run = Experiment.On(Pods.In(ns.Name).Named(target.Metadata.Name))
            .DelayNetwork(TimeSpan.FromMilliseconds(200))
            .For(TimeSpan.FromSeconds(45))   // the probe starts once the payload has installed the delay and takes ~5 s
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart"))
            .RunAsync(cluster.Client);
        await WaitInstalledAsync(cluster, ns.Name, target.Metadata.Name, run);
        var during = await PingAsync(cluster, ns.Name, "probe-during", target.Status.PodIP);
        var result = await run;
        var after = await PingAsync(cluster, ns.Name, "probe-after", target.Status.PodIP);

        result.Should().HaveHeldSteadyState();
        result.NotRecovered.Should().BeEmpty();
        before.Should().BeLessThan(50, "a pod-to-pod round trip on one node takes well under a millisecond or two");
        during.Should().BeInRange(190, 1000, "netem holds every reply 200 ms");
        after.Should().BeLessThan(50, "recovery removed the delay");
    }

    /// <summary>Waits until the delay payload in <paramref name="podName"/> has printed that its fault is installed (or the run ended early).</summary>
    private static async Task WaitInstalledAsync(K3sChaosCluster cluster, string ns, string podName, Task<ChaosResult> run)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (run.IsCompleted)
            {
                throw new InvalidOperationException($"the experiment ended before the probe could look:\n{(await run).ToReport()}");
            }

            var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(podName, ns);
            if (pod.Spec.EphemeralContainers?.FirstOrDefault(c => c.Name.StartsWith("chaos-network-delay-", StringComparison.Ordinal)) is { } payload
                && pod.Status.EphemeralContainerStatuses?.Any(s => s.Name == payload.Name && s.State?.Running is not null) == true)
            {
                using var log = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(podName, ns, container: payload.Name);
                if ((await new StreamReader(log).ReadToEndAsync()).Contains("chaos: installed", StringComparison.Ordinal))
                {
                    return;
                }
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"the delay payload in {ns}/{podName} did not report the fault installed within 3 minutes");
    }

    /// <summary>Runs a pod that pings <paramref name="ip"/> 5 times (one a second) and returns the average round trip in milliseconds.</summary>
    private static async Task<double> PingAsync(K3sChaosCluster cluster, string ns, string name, string ip)
    {
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                TerminationGracePeriodSeconds = 1,
                Containers = [new V1Container { Name = "ping", Image = ProbeImage, Command = ["ping", "-c", "5", ip] }],
            },
        }, ns);

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        string? phase = null;
        while (DateTimeOffset.UtcNow < deadline && phase is not ("Succeeded" or "Failed"))
        {
            await Task.Delay(500);
            phase = (await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, ns)).Status?.Phase;
        }

        using var stream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(name, ns);
        var output = await new StreamReader(stream).ReadToEndAsync();
        phase.Should().Be("Succeeded", $"the probe pod {name} pings {ip}; its output:\n{output}");
        return ParseAverage(output);
    }

    /// <summary>The average of busybox's "round-trip min/avg/max = 0.061/0.098/0.170 ms" (or iputils' "rtt min/avg/max/mdev = ...").</summary>
    internal static double ParseAverage(string pingOutput)
    {
        var line = pingOutput.Split('\n').LastOrDefault(l => l.Contains("min/avg/max", StringComparison.Ordinal))
            ?? throw new FormatException($"no round-trip summary in the ping output:\n{pingOutput}");
        var values = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0].Split('/');
        return double.Parse(values[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
