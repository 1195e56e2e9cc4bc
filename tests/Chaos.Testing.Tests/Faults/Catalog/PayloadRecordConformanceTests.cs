using System.Text.Json.Nodes;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults.Catalog;

/// <summary>
/// Across every payload fault of the catalog: its ledger record is data only (no script, image, capability, mount,
/// hostPath or namespace), and every payload container and pod it creates has the hardened security context.
/// </summary>
public sealed class PayloadRecordConformanceTests
{
    private static readonly string[] Forbidden = ["image", "cleanup", "script", "capabilities", "mounts", "hostPath", "namespace", "pod", "container", "process"];

    public static TheoryData<string> PayloadFaults() =>
        [.. FaultCatalog.All.Where(f => f.Mechanism is FaultMechanism.PodPayload or FaultMechanism.NodePayload).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(PayloadFaults))]
    public async Task PayloadFault_LedgerRecordIsDataOnly_AndItsContainersAreHardened(string name)
    {
        var fault = FaultCatalog.Find(name)!;
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Pods.In("shop").WithLabel("app", "cart");
        var targets = new FaultSampleTargets(Experiment.On(cart), Experiment.On(Nodes.Named("node-2")), cart);
        var records = new List<JsonObject>();
        var containers = new List<(V1SecurityContext? Context, V1PodSpec? Pod)>();
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var pod in (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync()).Items)
                {
                    foreach (var entry in (pod.Metadata.Annotations ?? new Dictionary<string, string>()).Where(a => a.Key.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal)))
                    {
                        records.Add(JsonNode.Parse(entry.Value)!["recovery"]!.AsObject());
                    }

                    containers.AddRange((pod.Spec.EphemeralContainers ?? []).Select(c => ((V1SecurityContext?)c.SecurityContext, (V1PodSpec?)null)));
                    if (pod.Metadata.Labels?.ContainsKey("chaos.testing/experiment") == true)
                    {
                        containers.AddRange(pod.Spec.Containers.Select(c => ((V1SecurityContext?)c.SecurityContext, (V1PodSpec?)pod.Spec)));
                    }
                }

                foreach (var node in (await cluster.Client.CoreV1.ListNodeAsync()).Items)
                {
                    records.AddRange((node.Metadata.Annotations ?? new Dictionary<string, string>()).Where(a => a.Key.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal))
                        .Select(a => JsonNode.Parse(a.Value)!["recovery"]!.AsObject()));
                }

                await Task.Delay(20);
            }
        });

        var result = await fault.Sample(targets).For(TimeSpan.FromSeconds(1)).RunAsync(cluster.Client);
        await stop.CancelAsync();
        await watch;

        result.Verdict.Should().NotBe(ExperimentVerdict.Aborted, result.ToReport());
        records.Should().NotBeEmpty($"{name} writes a ledger entry");
        records.SelectMany(r => r.Select(p => p.Key)).Should().NotContain(Forbidden);
        containers.Should().NotBeEmpty();
        foreach (var (context, pod) in containers)
        {
            context!.Capabilities.Drop.Should().Equal("ALL");
            context.AllowPrivilegeEscalation.Should().BeFalse();
            context.Privileged.Should().BeFalse();
            context.SeccompProfile.Type.Should().Be("RuntimeDefault");
            if (pod is not null)
            {
                pod.AutomountServiceAccountToken.Should().BeFalse();
                pod.ActiveDeadlineSeconds.Should().BeGreaterThan(0);
            }
        }
    }
}
