using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.EndToEnd;

/// <content>The sleeping target pods of the in-pod payload tests (stress, disk fill, container kill) and their experiments.</content>
internal static partial class EndToEndCluster
{
    /// <summary>A busybox pod sleeping (or running <paramref name="command"/>), in namespace shop (made with the first one); returns its cgroup once it runs.</summary>
    public static async Task<string> SleeperAsync(KubernetesEmulator cluster, string name, V1ResourceRequirements? resources = null, string[]? command = null)
    {
        var client = cluster.Client;
        if ((await client.CoreV1.ListNamespaceAsync()).Items.All(n => n.Metadata.Name != "shop"))
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        }

        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = command ?? ["sleep", "3600"], Resources = resources }] },
        }, "shop");
        await Eventually.TrueAsync(
            async () => (await client.CoreV1.ReadNamespacedPodAsync(name, "shop")).Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null,
            $"pod {name} to run", TimeSpan.FromSeconds(60));
        var cgroup = await PodCgroupAsync(cluster, "shop", name);

        // The runtime says running once the launch chain started; its last link (setpriv) then execs the command.
        await Eventually.TrueAsync(
            () => Task.FromResult(CgroupProcesses(cgroup).All(p => p.Command != "setpriv")), $"the command of pod {name} to replace its launcher", TimeSpan.FromSeconds(30));
        return cgroup;
    }

    /// <summary>The pods app=<paramref name="app"/> of namespace shop.</summary>
    public static PodChaos On(string app) => Experiment.On(Pods.In("shop").WithLabel("app", app));

    /// <summary>Holds for <paramref name="seconds"/>, allowed to hit every picked pod (here one).</summary>
    public static ChaosExperiment Held(this ChaosExperiment experiment, double seconds) =>
        experiment.For(TimeSpan.FromSeconds(seconds)).WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
}
