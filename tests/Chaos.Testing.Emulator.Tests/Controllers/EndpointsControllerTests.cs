using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The endpoints controller: a Service's Endpoints list the IPs of its ready pods.</summary>
public sealed class EndpointsControllerTests : EmulatorTest
{
    private static IEnumerable<string> ReadyIps(V1Endpoints endpoints) =>
        endpoints.Subsets?.SelectMany(s => s.Addresses ?? []).Select(a => a.Ip) ?? [];

    [Fact]
    public async Task Endpoints_OfService_ListReadyPodIps()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("db", 1), Ns);

        // Act
        await Client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        var ips = (await Client.ActivePodsAsync(Ns, "app=web")).Select(p => p.Status.PodIP).ToList();
        var endpoints = await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedEndpointsAsync("web", Ns),
            e => ReadyIps(e).Count() == 3,
            "the endpoints list 3 ready addresses");
        ReadyIps(endpoints).Should().BeEquivalentTo(ips);
        endpoints.Subsets.Single().Ports.Should().ContainSingle().Which.Should().Match<Corev1EndpointPort>(p => p.Port == 8080 && p.Name == "http");
        endpoints.Subsets.Single().Addresses.Should().OnlyContain(a => a.TargetRef.Kind == "Pod" && a.NodeName != null);
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Endpoints_WhenPodIsDeleted_DropItsIp()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);
        var victim = (await Client.ActivePodsAsync(Ns, "app=web"))[0];
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedEndpointsAsync("web", Ns), e => ReadyIps(e).Contains(victim.Status.PodIP), "the victim is an endpoint");

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync(victim.Metadata.Name, Ns);

        // Assert
        await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedEndpointsAsync("web", Ns),
            e => !ReadyIps(e).Contains(victim.Status.PodIP) && ReadyIps(e).Count() == 2,
            "the endpoints drop the deleted pod's IP and list its replacement");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Endpoints_PodNotReady_IsListedAsNotReady()
    {
        // Arrange: a slow readiness delay keeps the pod running but not ready
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.PodReadyDelay = TimeSpan.FromMinutes(10));
        var client = cluster.Client;
        await client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), "default");

        // Act
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-0", Labels(("app", "web"))), "default");

        // Assert
        var endpoints = await Eventually.MatchAsync(
            () => client.CoreV1.ReadNamespacedEndpointsAsync("web", "default"),
            e => e.Subsets?.Any(s => s.NotReadyAddresses?.Count == 1) == true,
            "the running pod is a not-ready address");
        ReadyIps(endpoints).Should().BeEmpty();
    }

    [Fact]
    public async Task Endpoints_WhenServiceIsDeleted_AreRemoved()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), Ns);
        await Eventually.MatchAsync(() => Client.CoreV1.ListNamespacedEndpointsAsync(Ns), l => l.Items.Count == 1, "the endpoints exist");

        // Act
        await Client.CoreV1.DeleteNamespacedServiceAsync("web", Ns);

        // Assert
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedEndpointsAsync("web", Ns), "the service's endpoints");
    }
}
