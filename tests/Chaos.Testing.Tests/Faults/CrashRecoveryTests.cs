using System.Diagnostics;
using System.Reflection;
using Chaos.Testing.Tests.Support;
using k8s;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// A child process starts four stateful experiments (pod failure, node taint, node cordon, a custom fault) and is
/// killed while they hold; a second, new process runs the janitor, which must restore the cluster exactly.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessKilledMidHold_NewProcessSweep_RestoresTheClusterExactly()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var nsBefore = (await cluster.Client.CoreV1.ReadNamespaceAsync("shop")).Metadata.Labels;

        using (var holder = StartHost("hold", cluster.Emulator.KubeconfigPath))
        {
            try
            {
                await Eventually.TrueAsync(
                    async () => holder.HasExited || ((await MarkedAsync(cluster.Client)) == 4
                        && (await cluster.Client.CoreV1.ReadNamespaceAsync("shop")).Metadata.Labels.ContainsKey("crash-test/marked")),
                    "four ledger entries (failed pod, tainted node-1, cordoned node-2, custom fault on a pod) and the custom fault's mark",
                    TimeSpan.FromSeconds(30));
            }
            finally
            {
                if (!holder.HasExited)
                {
                    holder.Kill(entireProcessTree: true);
                }
            }

            await holder.WaitForExitAsync();
            var held = await holder.StandardOutput.ReadToEndAsync() + await holder.StandardError.ReadToEndAsync();
            output.WriteLine(held);
            held.Should().StartWith("started").And.NotContain("finished", "the host was killed while its experiments held");
            await holder.WaitForExitAsync();
        }

        // The crash left the cluster changed: that is what the janitor is for.
        var crashed = await ClusterState.CaptureAsync(cluster.Client);
        var left = crashed.DifferencesFrom(before, podsMustSurvive: true);
        left.Should().Contain(d => d.StartsWith("node node-1 changed", StringComparison.Ordinal))
            .And.Contain(d => d.StartsWith("node node-2 changed", StringComparison.Ordinal))
            .And.Contain(d => d.StartsWith("pod shop/", StringComparison.Ordinal) && d.Contains("mirrored-pause", StringComparison.Ordinal));
        (await cluster.Client.CoreV1.ReadNamespaceAsync("shop")).Metadata.Labels.Should().ContainKey("crash-test/marked");

        using var sweeper = StartHost("sweep", cluster.Emulator.KubeconfigPath);
        var sweepOutput = await sweeper.StandardOutput.ReadToEndAsync();
        await sweeper.WaitForExitAsync();
        output.WriteLine(sweepOutput);
        sweeper.ExitCode.Should().Be(0, sweepOutput);
        sweepOutput.Should().StartWith("Sweep: 4 recovered, 0 skipped, 0 failed").And.Contain("its Lease was not renewed for 2s");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("the janitor restores nodes and the failed pod exactly");
        (await cluster.Client.CoreV1.ReadNamespaceAsync("shop")).Metadata.Labels.Should().BeEquivalentTo(nsBefore, "the custom fault's registered recovery ran");
        (await ChaosJanitor.SweepAsync(cluster.Client)).Recovered.Should().BeEmpty("a second sweep finds nothing: the janitor is idempotent");
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
    }

    private static async Task<int> MarkedAsync(IKubernetes client)
    {
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "chaos.testing/ledger=true");
        var nodes = await client.CoreV1.ListNodeAsync(labelSelector: "chaos.testing/ledger=true");
        return pods.Items.Concat<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>(nodes.Items)
            .Sum(o => o.Metadata.Annotations.Count(a => a.Key.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal)));
    }

    private static Process StartHost(string mode, string kubeconfig)
    {
        var path = typeof(CrashRecoveryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashHost").Value!;
        File.Exists(path).Should().BeTrue($"the crash host is built before the tests ({path})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(kubeconfig);
        return Process.Start(start)!;
    }
}
