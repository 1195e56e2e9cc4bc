using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Kubectl;

/// <summary>
/// The commands that use the API groups served from other versions' objects, with the oldest and newest kubectl:
/// <c>kubectl auth whoami</c> (SelfSubjectReview), <c>kubectl autoscale</c> (1.27 posts <c>autoscaling/v1</c>) and
/// <c>kubectl events</c>.
/// </summary>
public sealed class KubectlApiGroupsTests : IAsyncLifetime
{
    private const string Bin = "/usr/lib/google-cloud-sdk/bin";

    private KubernetesEmulator _cluster = null!;

    public async Task InitializeAsync() => _cluster = await KubernetesEmulator.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [SkippableKubectlVersionsFact]
    public async Task AuthWhoami_ShowsTheEmulatorUser()
    {
        foreach (var version in SkippableKubectlVersionsFactAttribute.Versions)
        {
            var output = await KubectlAsync(version, "auth whoami");
            output.Should().Contain(ApiAuthorization.UserName).And.Contain("system:masters").And.Contain("system:authenticated");
        }
    }

    [SkippableKubectlVersionsFact]
    public async Task Autoscale_CreatesTheHorizontalPodAutoscaler_ReadableThroughV2()
    {
        foreach (var version in SkippableKubectlVersionsFactAttribute.Versions)
        {
            var ns = "autoscale-" + version.Replace(".", string.Empty, StringComparison.Ordinal);
            await _cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            await KubectlAsync(version, $"create deployment web --image=example/web:1.0 -n {ns}");

            (await KubectlAsync(version, $"autoscale deployment web --max 3 --cpu-percent 70 -n {ns}"))
                .Should().Contain("horizontalpodautoscaler.autoscaling/web autoscaled");

            var hpa = await _cluster.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", ns);
            hpa.Spec.MaxReplicas.Should().Be(3);
            hpa.Spec.ScaleTargetRef.Name.Should().Be("web");
            hpa.Spec.Metrics.Should().ContainSingle().Which.Resource.Target.AverageUtilization.Should().Be(70);
            (await KubectlAsync(version, $"get horizontalpodautoscalers.v1.autoscaling web -n {ns} -o jsonpath={{.spec.targetCPUUtilizationPercentage}}")).Should().Be("70");
        }

        var posts = _cluster.Audit.Entries.Where(e => e.Verb == "create" && e.Resource == "horizontalpodautoscalers").Select(e => e.Path);
        posts.Should().Contain(p => p.StartsWith("/apis/autoscaling/v1/", StringComparison.Ordinal), "kubectl 1.27 posts autoscaling/v1");
    }

    [SkippableKubectlVersionsFact]
    public async Task Events_ListsTheStoredEvents()
    {
        await _cluster.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" },
            Message = "Scaled up replica set web-1 to 2",
            Reason = "ScalingReplicaSet",
            Type = "Normal",
            InvolvedObject = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = "default" },
            FirstTimestamp = DateTime.UtcNow,
            LastTimestamp = DateTime.UtcNow,
        }, "default");

        foreach (var version in SkippableKubectlVersionsFactAttribute.Versions)
        {
            // kubectl events lists the core v1 events (both versions); get names events.k8s.io/v1 explicitly.
            (await KubectlAsync(version, "events -n default")).Should().Contain("Scaled up replica set web-1 to 2");
            (await KubectlAsync(version, "get events.v1.events.k8s.io web.1 -n default -o jsonpath={.note}"))
                .Should().Be("Scaled up replica set web-1 to 2");
        }
    }

    private async Task<string> KubectlAsync(string version, string arguments)
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
        var output = await stdout;
        var errors = await stderr;
        process.ExitCode.Should().Be(0, $"kubectl {version} {arguments} should succeed, but printed:\n{output}{errors}");
        return output;
    }
}
