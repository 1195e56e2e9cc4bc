using System.Diagnostics;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Kubectl;

/// <summary>
/// kubectl 1.27 and 1.33 (when installed next to each other as <c>kubectl.1.27</c> / <c>kubectl.1.33</c>, else the
/// <c>kubectl</c> on the PATH) against the kinds and controllers people's manifests need: a CRD and its custom resources,
/// <c>scale</c>, events in <c>get events</c> and <c>describe</c>, the per-namespace ServiceAccount and root CA, Jobs,
/// and foreground cascading deletion. <c>apply</c> runs with <c>--validate=false</c>: its default validation downloads
/// OpenAPI documents, which are another part of the emulator.
/// </summary>
public sealed class KubectlKindsTests : IAsyncLifetime
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [size]
                      properties:
                        size: {type: integer, minimum: 1}
        """;

    private static readonly string[] Directories = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator), "/usr/lib/google-cloud-sdk/bin"];

    private KubernetesEmulator _cluster = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync();
        _directory = Directory.CreateTempSubdirectory("kubectl-kinds-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_directory, "crd.yaml"), Crd);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [SkippableKubectlFact]
    public async Task EverydayOperations_OnTheNewKinds_SucceedWithKubectl127And133()
    {
        var versions = new[] { "kubectl.1.27", "kubectl.1.33" }.Select(Find).Where(p => p is not null).Cast<string>().ToList();
        if (versions.Count == 0)
        {
            versions.Add("kubectl");
        }

        var client = _cluster.Client;
        foreach (var (kubectl, index) in versions.Select((k, i) => (k, i)))
        {
            var ns = $"k{index}";
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta(ns) });
            await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), ns);
            await client.WaitForDeploymentAvailableAsync(ns, "web", 1);
            await File.WriteAllTextAsync(Path.Combine(_directory, $"{ns}.yaml"), Widget(ns, "w1", 3));
            await File.WriteAllTextAsync(Path.Combine(_directory, $"{ns}-bad.yaml"), Widget(ns, "w2", 0));

            // A CRD, then its resources, one valid and one the schema refuses.
            (await RunAsync(kubectl, $"apply --validate=false -f {_directory}/crd.yaml")).Should().Contain("customresourcedefinition.apiextensions.k8s.io/widgets.example.com");
            await RunAsync(kubectl, "wait --for condition=established crd/widgets.example.com --timeout=20s");
            (await RunAsync(kubectl, $"apply --validate=false -f {_directory}/{ns}.yaml")).Should().Contain("widget.example.com/w1 created");
            (await RunAsync(kubectl, $"apply --validate=false -f {_directory}/{ns}-bad.yaml", expectFailure: true))
                .Should().Contain("spec.size").And.Contain("greater than or equal to 1");
            (await RunAsync(kubectl, $"get wd w1 -n {ns} -o jsonpath={{.spec.size}}")).Should().Be("3");

            // scale through the scale subresource, then what the controllers recorded.
            (await RunAsync(kubectl, $"scale deployment web --replicas=2 -n {ns}")).Should().Contain("deployment.apps/web scaled");
            await client.WaitForDeploymentAvailableAsync(ns, "web", 2);
            (await RunAsync(kubectl, $"get events -n {ns}")).Should().Contain("Scheduled").And.Contain("ScalingReplicaSet").And.Contain("REASON");
            var pod = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items[0].Metadata.Name;
            (await RunAsync(kubectl, $"describe pod {pod} -n {ns}")).Should().Contain("Events:").And.Contain("Started container app");

            // What every namespace holds, and a Job.
            (await RunAsync(kubectl, $"get serviceaccount/default configmap/kube-root-ca.crt -n {ns} -o name"))
                .Should().Contain("serviceaccount/default").And.Contain("configmap/kube-root-ca.crt");
            if (kubectl.EndsWith("1.27", StringComparison.Ordinal) || versions.Count == 1)
            {
                // kubectl 1.33 sends this create as protobuf, which is the request-encoding part of the emulator.
                (await RunAsync(kubectl, $"create job once --image=nginx:1.25 -n {ns}")).Should().Contain("job.batch/once created");
                (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=once")).Items.Should().NotBeNull();
            }

            // Foreground deletion returns once the pods are gone.
            await RunAsync(kubectl, $"delete deployment web -n {ns} --cascade=foreground --timeout=30s");
            (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web")).Items.Should().BeEmpty("a foreground deletion ends after its dependents");
        }
    }

    private static string? Find(string program) =>
        Directories.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static string Widget(string ns, string name, int size) => $$"""
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: {{name}}
          namespace: {{ns}}
        spec:
          size: {{size}}
        """;

    private async Task<string> RunAsync(string kubectl, string arguments, bool expectFailure = false)
    {
        var start = new ProcessStartInfo(kubectl, $"--kubeconfig {_cluster.KubeconfigPath} {arguments}")
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
        (process.ExitCode != 0).Should().Be(expectFailure, $"{Path.GetFileName(kubectl)} {arguments} printed:\n{output}");
        return output;
    }
}
