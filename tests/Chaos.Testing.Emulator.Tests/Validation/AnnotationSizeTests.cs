using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Validation;

/// <summary>The real server's limit on all annotations of one object together: 256 KiB of keys and values.</summary>
public sealed class AnnotationSizeTests : EmulatorTest
{
    [Fact]
    public async Task Create_AnnotationsOver256KiB_Answers422TooLong_AtTheLimitIsAccepted()
    {
        var over = ConfigMap("over");
        over.Metadata.Annotations = new Dictionary<string, string> { ["a"] = new string('x', 256 * 1024), ["b"] = "y" };
        var at = ConfigMap("at");
        at.Metadata.Annotations = new Dictionary<string, string> { ["a"] = new string('x', (256 * 1024) - 1) };

        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedConfigMapAsync(over, Ns))).ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(at, Ns);

        status.Details.Causes.Should().ContainSingle(c => c.Field == "metadata.annotations")
            .Which.Message.Should().Be("Too long: may not be more than 262144 bytes");
    }

    [Fact]
    public async Task Update_ThatGrowsAnnotationsOverTheLimit_Answers422()
    {
        var map = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("grows"), Ns);
        map.Metadata.Annotations = new Dictionary<string, string> { ["a"] = new string('x', 200 * 1024), ["b"] = new string('y', 60 * 1024) };

        await ((Func<Task>)(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, "grows", Ns))).ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);
    }
}
