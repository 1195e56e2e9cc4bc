using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// <c>autoscaling/v1</c> HorizontalPodAutoscalers are the stored <c>autoscaling/v2</c> objects seen in another
/// version: the CPU target and current utilization are the CPU metric's, and what v1 has no field for travels in
/// annotations, so that a v1 read-modify-write keeps the v2 metrics.
/// </summary>
public sealed class AutoscalingV1Tests : EmulatorTest
{
    private const string MetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";

    private static readonly V1CrossVersionObjectReference Target = new() { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web" };

    [Fact]
    public async Task CreatedThroughV1_ReadsThroughV2_AsTheCpuUtilizationMetric()
    {
        // Act
        var created = await Client.AutoscalingV1.CreateNamespacedHorizontalPodAutoscalerAsync(new V1HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V1HorizontalPodAutoscalerSpec { MinReplicas = 1, MaxReplicas = 3, TargetCPUUtilizationPercentage = 70, ScaleTargetRef = Target },
        }, Ns);

        // Assert
        created.ApiVersion.Should().Be("autoscaling/v1");
        created.Spec.TargetCPUUtilizationPercentage.Should().Be(70);
        var v2 = await Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns);
        v2.Spec.MaxReplicas.Should().Be(3);
        v2.Spec.ScaleTargetRef.Name.Should().Be("web");
        var metric = v2.Spec.Metrics.Should().ContainSingle().Subject;
        metric.Type.Should().Be("Resource");
        metric.Resource.Name.Should().Be("cpu");
        metric.Resource.Target.Type.Should().Be("Utilization");
        metric.Resource.Target.AverageUtilization.Should().Be(70);
        v2.Metadata.Annotations.Should().BeNull("the conversion annotations are not stored");
    }

    [Fact]
    public async Task CreatedThroughV1_WithoutCpuTarget_GetsTheDefault80Percent()
    {
        // Act
        await Client.AutoscalingV1.CreateNamespacedHorizontalPodAutoscalerAsync(new V1HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V1HorizontalPodAutoscalerSpec { MaxReplicas = 3, ScaleTargetRef = Target },
        }, Ns);

        // Assert
        (await Client.AutoscalingV1.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns)).Spec.TargetCPUUtilizationPercentage.Should().Be(80);
        (await Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns)).Spec.Metrics.Single().Resource.Target.AverageUtilization.Should().Be(80);
    }

    [Fact]
    public async Task V2ExtraMetrics_SurviveAV1ReadUpdate_AsTheMetricsAnnotation()
    {
        // Arrange: CPU utilization plus a memory average value and a pods metric, written through v2
        await Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(new V2HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                MaxReplicas = 5,
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web" },
                Metrics =
                [
                    new V2MetricSpec { Type = "Resource", Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 60 } } },
                    new V2MetricSpec { Type = "Resource", Resource = new V2ResourceMetricSource { Name = "memory", Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity("500Mi") } } },
                    new V2MetricSpec
                    {
                        Type = "Pods",
                        Pods = new V2PodsMetricSource { Metric = new V2MetricIdentifier { Name = "requests" }, Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity("10") } },
                    },
                ],
            },
        }, Ns);

        // Act: read through v1, change the v1 fields, write back through v1
        var v1 = await Client.AutoscalingV1.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns);
        v1.Spec.TargetCPUUtilizationPercentage.Should().Be(60);
        var annotation = v1.Metadata.Annotations[MetricsAnnotation];
        annotation.Should().Contain("\"targetAverageValue\":\"500Mi\"").And.Contain("\"metricName\":\"requests\"").And.NotContain("\"cpu\"");
        v1.Spec.TargetCPUUtilizationPercentage = 50;
        v1.Spec.MaxReplicas = 7;
        var updated = await Client.AutoscalingV1.ReplaceNamespacedHorizontalPodAutoscalerAsync(v1, "web", Ns);

        // Assert
        updated.Spec.TargetCPUUtilizationPercentage.Should().Be(50);
        var v2 = await Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns);
        v2.Spec.MaxReplicas.Should().Be(7);
        v2.Spec.Metrics.Select(m => m.Type).Should().Equal("Resource", "Resource", "Pods");
        v2.Spec.Metrics[0].Resource.Target.AverageUtilization.Should().Be(50);
        v2.Spec.Metrics[1].Resource.Name.Should().Be("memory");
        v2.Spec.Metrics[1].Resource.Target.Type.Should().Be("AverageValue");
        v2.Spec.Metrics[1].Resource.Target.AverageValue.ToString().Should().Be("500Mi");
        v2.Spec.Metrics[2].Pods.Metric.Name.Should().Be("requests");
        v2.Spec.Metrics[2].Pods.Target.AverageValue.ToString().Should().Be("10");
        v2.Metadata.Annotations.Should().BeNull();
    }

    [Fact]
    public async Task StatusSubresource_ThroughV1_IsTheCurrentCpuMetric_AndPatchAndDeleteWork()
    {
        // Arrange
        await Client.AutoscalingV1.CreateNamespacedHorizontalPodAutoscalerAsync(new V1HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V1HorizontalPodAutoscalerSpec { MaxReplicas = 3, TargetCPUUtilizationPercentage = 50, ScaleTargetRef = Target },
        }, Ns);

        // Act
        var status = new V1Patch("{\"status\":{\"currentReplicas\":2,\"desiredReplicas\":3,\"currentCPUUtilizationPercentage\":91}}", V1Patch.PatchType.MergePatch);
        var patchedStatus = await Client.AutoscalingV1.PatchNamespacedHorizontalPodAutoscalerStatusAsync(status, "web", Ns);
        var spec = new V1Patch("{\"spec\":{\"maxReplicas\":4}}", V1Patch.PatchType.MergePatch);
        var patched = await Client.AutoscalingV1.PatchNamespacedHorizontalPodAutoscalerAsync(spec, "web", Ns);

        // Assert
        patchedStatus.Status.CurrentCPUUtilizationPercentage.Should().Be(91);
        patched.Spec.MaxReplicas.Should().Be(4);
        patched.Status.CurrentCPUUtilizationPercentage.Should().Be(91, "a spec patch keeps the status");
        var v2 = await Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns);
        v2.Status.CurrentReplicas.Should().Be(2);
        v2.Status.CurrentMetrics.Should().ContainSingle().Which.Resource.Current.AverageUtilization.Should().Be(91);
        (await Client.AutoscalingV1.ListNamespacedHorizontalPodAutoscalerAsync(Ns)).Items.Should().ContainSingle()
            .Which.Spec.TargetCPUUtilizationPercentage.Should().Be(50);
        await Client.AutoscalingV1.DeleteNamespacedHorizontalPodAutoscalerAsync("web", Ns);
        (await Client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(Ns)).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task WatchThroughV1_SeesV2WritesAsV1Objects()
    {
        // Arrange
        await using var watch = WatchRecorder.Start<V1HorizontalPodAutoscaler>((onError, ct) =>
            Client.AutoscalingV1.WatchListNamespacedHorizontalPodAutoscalerAsync(Ns, onError: onError, cancellationToken: ct));

        // Act
        await Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(new V2HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                MaxReplicas = 5,
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web" },
                Metrics = [new V2MetricSpec { Type = "Resource", Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 65 } } }],
            },
        }, Ns);

        // Assert
        await watch.WaitForAsync(
            (type, hpa) => type == WatchEventType.Added && hpa.Spec.TargetCPUUtilizationPercentage == 65 && hpa.ApiVersion == "autoscaling/v1",
            "ADDED web as autoscaling/v1 with its CPU target");
    }

    [Fact]
    public async Task Discovery_ListsV1AndV2_PreferringV2()
    {
        // Act
        var group = (await Client.Apis.GetAPIVersionsAsync()).Groups.Single(g => g.Name == "autoscaling");
        var v1 = await Client.AutoscalingV1.GetAPIResourcesAsync();

        // Assert
        group.Versions.Select(v => v.Version).Should().BeEquivalentTo("v1", "v2");
        group.PreferredVersion.Version.Should().Be("v2");
        v1.Resources.Select(r => r.Name).Should().Contain(["horizontalpodautoscalers", "horizontalpodautoscalers/status"]);
    }
}
