using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Kubectl;

/// <summary>
/// The oldest and newest kubectl this machine has (1.27 reads OpenAPI v2 as protobuf, 1.33 reads v3) run the
/// everyday commands that need the OpenAPI documents and the API server's JSON patch semantics.
/// </summary>
public sealed class KubectlVersionsTests : IAsyncLifetime
{
    private const string Bin = "/usr/lib/google-cloud-sdk/bin";

    private const string Manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: shop
        data:
          mode: safe
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: example/web:1.0
        """;

    private KubernetesEmulator _cluster = null!;
    private readonly List<string> _files = [];
    private string _manifest = null!;

    public async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync();
        _manifest = Path.Combine(Path.GetTempPath(), $"kubectl-versions-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(_manifest, Manifest);
    }

    public async Task DisposeAsync()
    {
        File.Delete(_manifest);
        _files.ForEach(File.Delete);
        await _cluster.DisposeAsync();
    }

    [SkippableKubectlVersionsFact]
    public async Task ApplyDiffExplainAndRolloutUndo_WorkWithKubectl127And133()
    {
        foreach (var version in SkippableKubectlVersionsFactAttribute.Versions)
        {
            await _cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });

            (await KubectlAsync(version, $"apply -f {_manifest}")).Should().Contain("deployment.apps/web created");
            (await KubectlAsync(version, $"apply -f {_manifest}")).Should().Contain("configmap/settings unchanged");
            await KubectlAsync(version, $"diff -f {_manifest}");
            (await KubectlAsync(version, "explain pod.spec.containers")).Should().Contain("<[]Container>");
            (await KubectlAsync(version, "explain deployments.spec.replicas")).Should().Contain("<integer>");
            await KubectlAsync(version, "set image deployment/web web=example/web:2.0 -n shop");
            await WaitForRevisionAsync(2);
            (await KubectlAsync(version, "rollout undo deployment/web -n shop")).Should().Contain("rolled back");
            var deployment = await _cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
            deployment.Spec.Template.Spec.Containers[0].Image.Should().Be("example/web:1.0", $"kubectl {version} rolled back to the first revision");

            await _cluster.Client.CoreV1.DeleteNamespaceAsync("shop");
            await WaitForNamespaceGoneAsync();
        }
    }

    [SkippableKubectlVersionsFact]
    public async Task TypedCreates_AndServerSideApply_WorkWithKubectl127And133()
    {
        foreach (var version in SkippableKubectlVersionsFactAttribute.Versions)
        {
            // kubectl 1.32 and later send these bodies as protobuf.
            var ns = "typed-" + version.Replace(".", string.Empty, StringComparison.Ordinal);
            await KubectlAsync(version, $"create namespace {ns}");
            await KubectlAsync(version, $"create deployment web --image=example/web:1.0 --replicas=0 -n {ns}");
            await KubectlAsync(version, $"create configmap literal --from-literal=key=value -n {ns}");
            (await KubectlAsync(version, $"auth can-i create pods -n {ns}")).Trim().Should().Be("yes");
            var deployment = await _cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
            deployment.Spec.Replicas.Should().Be(0, $"kubectl {version} asked for zero replicas");
            deployment.Spec.Strategy.Type.Should().Be("RollingUpdate");
            (await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("literal", ns)).Data.Should().Equal(new Dictionary<string, string> { ["key"] = "value" });

            var first = await WriteAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: owned, namespace: {ns}}}\ndata: {{a: \"1\", b: \"x\"}}\n");
            var second = await WriteAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: owned, namespace: {ns}}}\ndata: {{a: \"2\"}}\n");
            (await KubectlAsync(version, $"apply --server-side -f {first}")).Should().Contain("serverside-applied");
            (await KubectlAsync(version, $"apply --server-side --field-manager=ops -f {second}", expectSuccess: false))
                .Should().Contain("conflict with \"kubectl\"").And.Contain(".data.a");
            await KubectlAsync(version, $"apply --server-side --field-manager=ops --force-conflicts -f {second}");
            var owned = await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("owned", ns);
            owned.Data.Should().Equal(new Dictionary<string, string> { ["a"] = "2", ["b"] = "x" });
            owned.Metadata.ManagedFields.Select(m => m.Manager).Should().BeEquivalentTo(["kubectl", "ops"]);
        }
    }

    private async Task<string> WriteAsync(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kubectl-versions-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        _files.Add(path);
        return path;
    }

    private async Task WaitForRevisionAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await _cluster.Client.AppsV1.ListNamespacedReplicaSetAsync("shop", cancellationToken: deadline.Token)).Items.Count < count)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    private async Task WaitForNamespaceGoneAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await _cluster.Client.CoreV1.ListNamespaceAsync(fieldSelector: "metadata.name=shop", cancellationToken: deadline.Token)).Items.Count > 0)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    private async Task<string> KubectlAsync(string version, string arguments, bool expectSuccess = true)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin, $"kubectl.{version}"), $"--kubeconfig {_cluster.KubeconfigPath} {arguments}")
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
        if (expectSuccess)
        {
            process.ExitCode.Should().Be(0, $"kubectl {version} {arguments} should succeed, but printed:\n{output}");
        }
        else
        {
            process.ExitCode.Should().NotBe(0, $"kubectl {version} {arguments} should fail, but printed:\n{output}");
        }

        return output;
    }
}

/// <summary>A fact that is skipped, with the reason, when kubectl 1.27 or 1.33 is not installed beside the others.</summary>
public sealed class SkippableKubectlVersionsFactAttribute : FactAttribute
{
    public static readonly string[] Versions = ["1.27", "1.33"];

    public SkippableKubectlVersionsFactAttribute()
    {
        if (Versions.FirstOrDefault(v => !File.Exists($"/usr/lib/google-cloud-sdk/bin/kubectl.{v}")) is { } missing)
        {
            Skip = $"kubectl {missing} is not installed as /usr/lib/google-cloud-sdk/bin/kubectl.{missing}";
        }
    }
}
