using Chaos.Testing.Emulator;
using k8s;

namespace Chaos.Testing.Tests.Clusters;

public sealed class ChaosClustersTests
{
    private const string Shop = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
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
              containers:
                - name: cart
                  image: example/cart:1.0
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: cart
        spec:
          selector:
            app: cart
          ports:
            - port: 80
        """;

    [Fact]
    public async Task AcquireAsync_EmulatorKind_GivesAWorkingCluster()
    {
        await using var cluster = await ChaosClusters.AcquireAsync(new ChaosClusterOptions { Kind = ChaosClusters.Emulator });

        cluster.Kind.Should().Be("emulator");
        cluster.Description.Should().StartWith("emulator at http://127.0.0.1:");
        (await cluster.Client.CoreV1.ListNodeAsync()).Items.Should().HaveCount(3);
    }

    [Fact]
    public void WhyUnavailable_K3sWithoutItsPackage_SaysWhichPackageIsMissing()
    {
        ChaosClusters.WhyUnavailable(new ChaosClusterOptions { Kind = "k3s" })
            .Should().Be("k3s was requested (CHAOS_CLUSTER=k3s) but the Chaos.Testing.K3s package is not referenced by this test project");
    }

    [Fact]
    public async Task AcquireAsync_UnknownKind_ThrowsUnavailableWithTheAllowedKinds()
    {
        var acquire = () => ChaosClusters.AcquireAsync(new ChaosClusterOptions { Kind = "minikube" });

        (await acquire.Should().ThrowAsync<ChaosClusterUnavailableException>())
            .WithMessage("unknown cluster kind \"minikube\" (CHAOS_CLUSTER); use emulator, kubeconfig or k3s");
    }

    [Fact]
    public void WhyUnavailable_KubeconfigThatDoesNotExist_NamesThePath()
    {
        ChaosClusters.WhyUnavailable(new ChaosClusterOptions { Kind = "kubeconfig", KubeconfigPath = "/nowhere/config" })
            .Should().Be("the kubeconfig \"/nowhere/config\" (CHAOS_KUBECONFIG) does not exist");
    }

    [Fact]
    public async Task AcquireAsync_KubeconfigOfARunningCluster_ConnectsToIt()
    {
        await using var emulator = await KubernetesEmulator.StartAsync();

        await using var cluster = await ChaosClusters.AcquireAsync(new ChaosClusterOptions { KubeconfigPath = emulator.KubeconfigPath });

        cluster.Kind.Should().Be("kubeconfig");
        (await cluster.Client.CoreV1.ListNamespaceAsync()).Items.Should().Contain(n => n.Metadata.Name == "kube-system");
    }

    [Fact]
    public async Task ApplyAndWait_InATestNamespace_CreatesReplacesAndWaitsForReadiness()
    {
        await using var cluster = await ChaosClusters.AcquireAsync(new ChaosClusterOptions { Kind = ChaosClusters.Emulator });
        string name;
        await using (var ns = await cluster.CreateTestNamespaceAsync("My Test: Kill_One"))
        {
            name = ns.Name;
            name.Should().MatchRegex("^chaos-my-test-kill-one-[0-9a-f]{5}$");

            var applied = await cluster.ApplyAsync(Shop, ns.Name);
            await cluster.ApplyAsync(Shop.Replace("replicas: 2", "replicas: 3", StringComparison.Ordinal), ns.Name);
            await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(15));

            applied.Should().Equal($"Deployment/{ns.Name}/cart", $"Service/{ns.Name}/cart");
            (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("cart", ns.Name)).Status.AvailableReplicas.Should().Be(3);
            (await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name)).Items.Should().ContainSingle("a change of replicas alone scales, it does not roll out");
        }

        var gone = (await cluster.Client.CoreV1.ListNamespaceAsync()).Items.SingleOrDefault(n => n.Metadata.Name == name);
        (gone is null || gone.Status.Phase == "Terminating").Should().BeTrue("disposing the test namespace deletes it");
    }

    [Fact]
    public async Task WaitForReadyAsync_DuringARollout_WaitsUntilEveryReplicaRunsTheNewTemplate()
    {
        await using var cluster = await ChaosClusters.AcquireAsync(new ChaosClusterOptions { Kind = ChaosClusters.Emulator });
        await using var ns = await cluster.CreateTestNamespaceAsync("rollout");
        await cluster.ApplyAsync(Shop, ns.Name);
        await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(30));

        await cluster.ApplyAsync(Shop.Replace("example/cart:1.0", "example/cart:2.0", StringComparison.Ordinal), ns.Name);
        await cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(30));

        // Old pods stay available while the new ones start: counting available replicas alone returned mid-rollout.
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("cart", ns.Name);
        (deployment.Status.UpdatedReplicas, deployment.Status.Replicas, deployment.Status.AvailableReplicas).Should().Be((2, 2, 2));
        (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns.Name)).Items.Where(p => p.Metadata.DeletionTimestamp is null)
            .Should().HaveCount(2).And.OnlyContain(p => p.Spec.Containers[0].Image == "example/cart:2.0");
    }

    [Fact]
    public async Task WaitForReadyAsync_WhenSomethingNeverGetsReady_ListsIt()
    {
        await using var cluster = await ChaosClusters.AcquireAsync(new ChaosClusterOptions { Kind = ChaosClusters.Emulator });
        await using var ns = await cluster.CreateTestNamespaceAsync("never-ready");
        foreach (var node in new[] { "node-1", "node-2", "node-3" })
        {
            await cluster.Client.CoreV1.PatchNodeAsync(new k8s.Models.V1Patch("{\"spec\":{\"unschedulable\":true}}", k8s.Models.V1Patch.PatchType.MergePatch), node);
        }

        await cluster.ApplyAsync(Shop, ns.Name);
        var wait = () => cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromMilliseconds(500));

        (await wait.Should().ThrowAsync<TimeoutException>()).WithMessage($"Not Ready in namespace \"{ns.Name}\" after 0.5s: deployment cart 0/2 available*");
    }
}
