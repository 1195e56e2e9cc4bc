using System.Net;
using System.Net.Sockets;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;

namespace Chaos.Testing.Emulator.Tests;

public sealed class KubernetesEmulatorTests
{
    [Fact]
    public async Task StartAsync_Defaults_ServesThreeReadyNodesOnLoopback()
    {
        // Act
        await using var cluster = await KubernetesEmulator.StartAsync();

        // Assert
        cluster.BaseAddress.Host.Should().Be("127.0.0.1");
        cluster.BaseAddress.Port.Should().BePositive();
        var nodes = await cluster.Client.CoreV1.ListNodeAsync();
        nodes.Items.Select(n => n.Metadata.Name).Should().Equal("node-1", "node-2", "node-3");
        nodes.Items.Should().OnlyContain(n => n.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"));
        var namespaces = await cluster.Client.CoreV1.ListNamespaceAsync();
        namespaces.Items.Select(n => n.Metadata.Name).Should().BeEquivalentTo("default", "kube-system", "kube-public", "kube-node-lease");
        cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task StartAsync_NodeCount_CreatesThatManyNodes()
    {
        // Act
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.NodeCount = 5);

        // Assert
        (await cluster.Client.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name).Should().Equal("node-1", "node-2", "node-3", "node-4", "node-5");
    }

    [Fact]
    public async Task StartAsync_TwoEmulators_AreIsolated()
    {
        // Arrange
        await using var first = await KubernetesEmulator.StartAsync();
        await using var second = await KubernetesEmulator.StartAsync();

        // Act
        await first.Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("only-here"), "default");

        // Assert
        first.BaseAddress.Should().NotBe(second.BaseAddress);
        (await second.Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Own().Should().BeEmpty();
        first.KubeconfigPath.Should().NotBe(second.KubeconfigPath);
    }

    [Fact]
    public async Task KubeconfigPath_WhileRunning_ExistsAndIsDeletedOnDispose()
    {
        // Arrange
        var cluster = await KubernetesEmulator.StartAsync();
        var path = cluster.KubeconfigPath;
        var existedWhileRunning = File.Exists(path);

        // Act
        await cluster.DisposeAsync();

        // Assert
        existedWhileRunning.Should().BeTrue();
        File.Exists(path).Should().BeFalse("the emulator deletes the kubeconfig it created");
    }

    [Fact]
    public async Task KubeconfigPath_BuildConfigFromConfigFile_GivesAWorkingClient()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);

        // Act
        using var client = new Kubernetes(config);
        var nodes = await client.CoreV1.ListNodeAsync();

        // Assert
        config.Host.TrimEnd('/').Should().Be(cluster.BaseAddress.ToString().TrimEnd('/'));
        config.Namespace.Should().Be("default");
        nodes.Items.Should().HaveCount(3);
    }

    [Fact]
    public async Task KubeconfigPath_Configured_IsWrittenThereAndKeptAfterDispose()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), $"chaos-tests-{Guid.NewGuid():N}.kubeconfig");
        try
        {
            // Act
            await using (var cluster = await KubernetesEmulator.StartAsync(o => o.KubeconfigPath = path))
            {
                cluster.KubeconfigPath.Should().Be(path);
                File.ReadAllText(path).Should().Contain(cluster.BaseAddress.ToString().TrimEnd('/'));
            }

            // Assert
            File.Exists(path).Should().BeTrue("a kubeconfig the caller placed is the caller's");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task DisposeAsync_StopsTheServer()
    {
        // Arrange
        var cluster = await KubernetesEmulator.StartAsync();
        var address = cluster.BaseAddress;
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };

        // Act
        await cluster.DisposeAsync();
        await cluster.DisposeAsync();

        // Assert
        var act = () => http.GetAsync(new Uri("/version", UriKind.Relative));
        (await act.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<SocketException>();
    }

    [Fact]
    public async Task StartAsync_FixedPort_ListensThere()
    {
        // Arrange
        var port = FreePort();

        // Act
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Port = port);

        // Assert
        cluster.BaseAddress.Port.Should().Be(port);
        (await cluster.Client.Version.GetCodeAsync()).Major.Should().Be("1");
    }

    [Fact]
    public async Task CreateClientConfiguration_NewClient_TalksToTheEmulator()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync();

        // Act
        using var client = new Kubernetes(cluster.CreateClientConfiguration());

        // Assert
        (await client.CoreV1.ListNamespaceAsync()).Items.Should().HaveCount(4);
    }

    [Fact]
    public async Task ApplyYamlAsync_Manifests_CreatesThemThroughValidation()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync();
        const string Yaml = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: shop
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: app
                    image: nginx:1.25
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              mode: chaos
            """;

        // Act
        await cluster.ApplyYamlAsync(Yaml);

        // Assert
        await cluster.Client.WaitForDeploymentAvailableAsync("shop", "web", 2);
        (await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default")).Data["mode"].Should().Be("chaos");
        cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task ApplyYamlAsync_InvalidObject_ThrowsWithTheReason()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync();
        const string Yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Bad_Name
            """;

        // Act
        var act = () => cluster.ApplyYamlAsync(Yaml);

        // Assert
        (await act.Should().ThrowAsync<Exception>()).Which.Message.Should().Contain("Bad_Name");
        (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Own().Should().BeEmpty();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
