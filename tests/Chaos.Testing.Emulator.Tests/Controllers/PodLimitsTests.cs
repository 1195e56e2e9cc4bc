using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Controllers.Processes;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The pod cgroup's limits, as the kubelet computes them: only when every container declares one.</summary>
public sealed class PodLimitsTests
{
    [Fact]
    public void EveryContainerWithALimit_TheSum_OrTheLargestInitContainer_PlusOverhead()
    {
        var spec = Spec("""
            {"containers":[{"resources":{"limits":{"memory":"64Mi","cpu":"500m"}}},{"resources":{"limits":{"memory":"32Mi","cpu":"250m"}}}],
             "initContainers":[{"resources":{"limits":{"memory":"128Mi","cpu":"100m"}}}],
             "overhead":{"memory":"1Mi"}}
            """);

        Quantities.PodLimits(spec).Should().Be(((128L + 1) * 1024 * 1024, 750L));
    }

    [Fact]
    public void AContainerWithoutALimit_NoLimitOfThatResource()
    {
        var spec = Spec("""{"containers":[{"resources":{"limits":{"memory":"64Mi","cpu":"1"}}},{"resources":{"limits":{"cpu":"1"}}}]}""");

        Quantities.PodLimits(spec).Should().Be(((long?)null, 2000L));
    }

    [Fact]
    public void RestartableInitContainers_RunBesideTheAppContainers_AndAreAdded()
    {
        var spec = Spec("""
            {"containers":[{"resources":{"limits":{"memory":"64Mi"}}}],
             "initContainers":[{"restartPolicy":"Always","resources":{"limits":{"memory":"16Mi"}}}]}
            """);

        Quantities.PodLimits(spec).MemoryBytes.Should().Be(80L * 1024 * 1024);
    }

    private static JsonObject Spec(string json) => JsonNode.Parse(json)!.AsObject();
}
