using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Kubectl;

/// <summary>
/// The oldest and newest kubectl this machine has (1.27 reads OpenAPI v2 as protobuf, 1.33 reads v3 and sends
/// protobuf bodies) run the everyday commands that need the OpenAPI documents, the API server's JSON patch
/// semantics, protobuf request bodies and server-side apply.
/// </summary>
public sealed class KubectlVersionsTests : IAsyncLifetime
{
    private const string Bin = "/usr/lib/google-cloud-sdk/bin";

    private const string Manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: safe
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
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
    public async Task ApplyDiffExplain_WorkWithKubectl127And133_AndRolloutUndoWith127()
    {
        foreach (var version in SkippableKubectlVersionsFactAttribute.Versions)
        {
            // 1.27 reads /openapi/v2 as protobuf before apply and diff, 1.33 reads /openapi/v3.
            var ns = "apply-" + version.Replace(".", string.Empty, StringComparison.Ordinal);
            await _cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });

            (await KubectlAsync(version, $"apply -n {ns} -f {_manifest}")).Should().Contain("deployment.apps/web created");
            (await KubectlAsync(version, $"apply -n {ns} -f {_manifest}")).Should().Contain("configmap/settings unchanged");
            await KubectlAsync(version, $"diff -n {ns} -f {_manifest}");
            (await KubectlAsync(version, "explain pod.spec.containers")).Should().Contain("<[]Container>");
        }

        // rollout undo sends a JSON patch replacing /metadata/annotations, which the template may lack.
        await KubectlAsync("1.27", "set image deployment/web web=example/web:2.0 -n apply-127");
        await WaitForRevisionAsync("apply-127", 2);
        (await KubectlAsync("1.27", "rollout undo deployment/web -n apply-127")).Should().Contain("rolled back");
        var deployment = await _cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "apply-127");
        deployment.Spec.Template.Spec.Containers[0].Image.Should().Be("example/web:1.0", "kubectl rolled back to the first revision");
    }

    [SkippableKubectlVersionsFact]
    public async Task TypedCreates_AsProtobuf_AndServerSideApply_WorkWithKubectl133()
    {
        const string version = "1.33";
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

    private async Task<string> WriteAsync(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kubectl-versions-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        _files.Add(path);
        return path;
    }

    private async Task WaitForRevisionAsync(string ns, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await _cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: deadline.Token)).Items.Count < count)
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
