using System.Diagnostics;
using k8s;

namespace Chaos.Testing.Emulator.Tests.Kubectl;

/// <summary>
/// kubectl, the strictest everyday client, against the emulator's kubeconfig: discovery, server-side tables,
/// strategic merge patches (cordon, taint), graceful delete with --wait, and drain through the Eviction API.
/// </summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private const string Shop = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          namespace: shop
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
        """;

    private KubernetesEmulator _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync();
        await _cluster.ApplyYamlAsync(Shop);
        await WaitForReadyPodsAsync(3);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [SkippableKubectlFact]
    public async Task GetPodsAllNamespaces_ListsTheWorkloadWithServerSideColumns()
    {
        var output = await KubectlAsync("get pods -A");

        output.Should().Contain("NAMESPACE").And.Contain("READY").And.Contain("STATUS");
        output.Split('\n').Count(l => l.StartsWith("shop ", StringComparison.Ordinal) && l.Contains("1/1") && l.Contains("Running"))
            .Should().Be(3, "three Ready cart pods run in shop:\n" + output);
    }

    [SkippableKubectlFact]
    public async Task GetNodes_ShowsThreeReadyNodes()
    {
        var output = await KubectlAsync("get nodes");

        output.Split('\n').Count(l => l.StartsWith("node-", StringComparison.Ordinal) && l.Contains(" Ready ")).Should().Be(3, output);
    }

    [SkippableKubectlFact]
    public async Task DeletePod_WaitsForRemoval_AndTheDeploymentReplacesIt()
    {
        var victim = (await _cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items[0].Metadata.Name;

        var output = await KubectlAsync($"delete pod {victim} -n shop --wait=true --timeout=20s");

        output.Should().Contain($"pod \"{victim}\" deleted");
        var pods = await WaitForReadyPodsAsync(3);
        pods.Should().NotContain(victim);
    }

    [SkippableKubectlFact]
    public async Task CordonAndUncordon_ToggleUnschedulable()
    {
        (await KubectlAsync("cordon node-1")).Should().Contain("node/node-1 cordoned");
        (await _cluster.Client.CoreV1.ReadNodeAsync("node-1")).Spec.Unschedulable.Should().BeTrue();

        (await KubectlAsync("uncordon node-1")).Should().Contain("node/node-1 uncordoned");
        (await _cluster.Client.CoreV1.ReadNodeAsync("node-1")).Spec.Unschedulable.Should().NotBe(true);
    }

    [SkippableKubectlFact]
    public async Task TaintAndUntaint_AddAndRemoveOnlyThatTaint()
    {
        await KubectlAsync("taint nodes node-2 other=keep:PreferNoSchedule");

        (await KubectlAsync("taint nodes node-2 chaos=on:NoSchedule")).Should().Contain("node/node-2 tainted");
        var taints = (await _cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Taints;
        taints.Should().Contain(t => t.Key == "chaos" && t.Value == "on" && t.Effect == "NoSchedule");

        (await KubectlAsync("taint nodes node-2 chaos=on:NoSchedule-")).Should().Contain("node/node-2 untainted");
        taints = (await _cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Taints;
        taints.Should().ContainSingle().Which.Key.Should().Be("other");
    }

    [SkippableKubectlFact]
    public async Task DrainIgnoringDaemonSets_EvictsEveryPodAndCordons()
    {
        var output = await KubectlAsync("drain node-3 --ignore-daemonsets --timeout=30s");

        output.Should().Contain("node/node-3 drained");
        _cluster.Audit.Entries.Should().Contain(e => e.Subresource == "eviction" && e.StatusCode == 201, "drain must use the Eviction API");
        var pods = await _cluster.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=node-3");
        pods.Items.Should().BeEmpty();
        (await _cluster.Client.CoreV1.ReadNodeAsync("node-3")).Spec.Unschedulable.Should().BeTrue();
        await WaitForReadyPodsAsync(3);
    }

    private async Task<List<string>> WaitForReadyPodsAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var pods = await _cluster.Client.CoreV1.ListNamespacedPodAsync("shop", cancellationToken: deadline.Token);
            var ready = pods.Items
                .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                .Select(p => p.Metadata.Name)
                .ToList();
            if (ready.Count == count)
            {
                return ready;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    private async Task<string> KubectlAsync(string arguments)
    {
        var start = new ProcessStartInfo("kubectl", $"--kubeconfig {_cluster.KubeconfigPath} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        var output = await stdout + await stderr;
        process.ExitCode.Should().Be(0, $"kubectl {arguments} should succeed, but printed:\n{output}");
        return output;
    }
}
