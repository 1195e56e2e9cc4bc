using System.Diagnostics;
using System.Reflection;
using Chaos.Testing.Tests.Support;
using k8s;
using Xunit.Abstractions;
using static Chaos.Testing.Tests.Faults.Catalog.CatalogConformance;

namespace Chaos.Testing.Tests.Faults.Catalog;

/// <summary>
/// Every fault of the catalog, run by another process that is killed while the fault holds: the janitor of this
/// process, seeing the run's Lease no longer renewed, restores the cluster as found (a class of its own, so these
/// mostly waiting tests run beside the other conformance theories).
/// </summary>
public sealed class CatalogCrashTests(ITestOutputHelper output)
{
    public static TheoryData<string> Faults => Names();

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task ProcessKilledMidHold_TheJanitorRestoresTheClusterAsFound(string name)
    {
        var fault = Fault(name);
        await using var cluster = await ShopCluster.StartAsync();
        var baseline = await ClusterState.CaptureAsync(cluster.Client);
        using (var host = StartHost(name, cluster.Emulator.KubeconfigPath))
        {
            try
            {
                await Eventually.TrueAsync(
                    async () => host.HasExited || (fault.LeavesState ? await LedgerEntriesAsync(cluster) > 0 : cluster.Emulator.Audit.Writes.Any(w => w.Verb == "delete")),
                    fault.LeavesState ? "a ledger entry of the held fault" : "the fault's delete",
                    TimeSpan.FromSeconds(90)); // a child .NET process starting on a loaded machine; no cost when it is quick
                if (fault.Mechanism is FaultMechanism.PodPayload or FaultMechanism.NodePayload)
                {
                    // Killed while the payload holds, not while it is being created.
                    await Eventually.TrueAsync(async () => host.HasExited || await PayloadRunningAsync(cluster, fault), "the payload running", TimeSpan.FromSeconds(30));
                }
            }
            finally
            {
                if (!host.HasExited)
                {
                    host.Kill(entireProcessTree: true);
                }
            }

            await host.WaitForExitAsync();
            var said = await host.StandardOutput.ReadToEndAsync() + await host.StandardError.ReadToEndAsync();
            said.Should().StartWith("started").And.NotContain("finished", $"the host was killed while {name} held: {said}");
        }

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client, SweepOptions());
        output.WriteLine(sweep.ToString());
        sweep.Failed.Should().BeEmpty();
        if (fault.LeavesState)
        {
            sweep.Recovered.Should().NotBeEmpty().And.OnlyContain(r => r.Contains("its Lease was not renewed", StringComparison.Ordinal));
        }
        else
        {
            sweep.Recovered.Should().BeEmpty($"{name} leaves no state");
            await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3, TimeSpan.FromSeconds(30));
        }

        (await ResidueAsync(cluster.Client, baseline)).Should().BeEmpty();
        (await ChaosJanitor.SweepAsync(cluster.Client, SweepOptions())).Recovered.Should().BeEmpty("a second sweep finds nothing");
    }

    private static async Task<int> LedgerEntriesAsync(ShopCluster cluster)
    {
        var pods = await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "chaos.testing/ledger=true");
        var nodes = await cluster.Client.CoreV1.ListNodeAsync(labelSelector: "chaos.testing/ledger=true");
        return pods.Items.Count + nodes.Items.Count;
    }

    private static async Task<bool> PayloadRunningAsync(ShopCluster cluster, FaultDescriptor fault)
    {
        var pods = (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync()).Items;
        return fault.Mechanism == FaultMechanism.PodPayload
            ? pods.Any(p => p.Status?.EphemeralContainerStatuses?.Any(s => s.Name.StartsWith($"chaos-{fault.Name}-", StringComparison.Ordinal) && s.State?.Running is not null) == true)
            : pods.Any(p => p.Metadata.Name.StartsWith($"chaos-{fault.Name}-", StringComparison.Ordinal) && p.Status?.Phase == "Running");
    }

    private static Process StartHost(string fault, string kubeconfig)
    {
        var path = typeof(CatalogCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashHost").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("fault");
        start.ArgumentList.Add(fault);
        start.ArgumentList.Add(kubeconfig);
        return Process.Start(start)!;
    }
}
