using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>
/// Volumes on the process runtime: hostPath maps into the pod's node root (a tmpfs per node, never this machine's
/// path), emptyDir is the pod's own, unsupported types wait with the reason, a disk fill stops at the node's size.
/// </summary>
public sealed class VolumeTests : ProcessRuntimeTest
{
    private const long NodeDisk = 16 * 1024 * 1024;
    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    protected override void Configure(KubernetesEmulatorOptions options)
    {
        base.Configure(options);
        options.Processes.NodeDiskSize = NodeDisk;
    }

    [ProcessRuntimeFact]
    public async Task HostPath_IsInTheNodesRoot_SharedOnTheNode_UnseenOnAnother_AndNeverTheMachinesPath()
    {
        var hostPath = $"/chaos-hostpath-{_tag}/data";
        await CreateAsync(OnNode("node-1", HostPathPod("writer", hostPath, "echo from-writer > /data/note; exec sleep 3600")));
        await CreateAsync(OnNode("node-1", HostPathPod("reader", hostPath, "until [ -s /data/note ]; do sleep 0.1; done; echo read: $(cat /data/note); exec sleep 3600")));
        await CreateAsync(OnNode("node-2", HostPathPod("elsewhere", hostPath, "echo seen: $(ls /data | wc -l) entries; exec sleep 3600")));

        await LogContainsAsync("reader", "read: from-writer");
        await LogContainsAsync("elsewhere", "seen: 0 entries");
        var nodeRoot = Cluster.ProcessNodeRoot("node-1")!;
        File.ReadAllText(Path.Combine(nodeRoot, hostPath.TrimStart('/'), "note")).Should().Be("from-writer\n", "the hostPath is the node root's folder");
        Path.Exists(Path.Combine(Cluster.ProcessNodeRoot("node-2")!, hostPath.TrimStart('/'), "note")).Should().BeFalse("each node has its own root");
        Path.Exists($"/chaos-hostpath-{_tag}").Should().BeFalse("a hostPath never reaches this machine's own files");
        Path.Exists("/chaos-test-volume").Should().BeFalse("the mount path, missing on this machine, is made in the container's own root");
        new DriveInfo(nodeRoot).TotalSize.Should().Be(NodeDisk, "the node root is a tmpfs of NodeDiskSize");
    }

    [ProcessRuntimeFact("fallocate")]
    public async Task DiskFillBeyondTheNodesSize_FailsWithNoSpace_AndTheMachinesDiskIsUntouched()
    {
        var fill = $"chaos-fill-{_tag}";
        var pod = HostPathPod("filler", "/var/tmp", $"fallocate -l 64M /data/{fill} || echo fallocate-failed; dd if=/dev/zero of=/data/{fill}-dd bs=1M count=64 2>&1 | grep -o 'No space left on device' | head -1; echo done", type: "Directory");
        await CreateAsync(OnNode("node-3", pod));

        var log = await LogContainsAsync("filler", "done");

        log.Should().Contain("fallocate-failed").And.Contain("No space left on device", "the node's disk is NodeDiskSize");
        var root = Cluster.ProcessNodeRoot("node-3")!;
        new FileInfo(Path.Combine(root, "var/tmp", $"{fill}-dd")).Length.Should().BeInRange(NodeDisk / 2, NodeDisk, "dd wrote until the node root was full");
        Path.Exists($"/var/tmp/{fill}").Should().BeFalse();
        Path.Exists($"/var/tmp/{fill}-dd").Should().BeFalse("the machine's /var/tmp is not the node's");
    }

    [ProcessRuntimeFact]
    public async Task ContainerTmp_IsEmptyAtEachStart_AsARuntimesNewWritableLayer_WhileAnEmptyDirKeepsItsFiles()
    {
        // Each run lists /tmp and a mounted emptyDir, leaves a file in both, and exits 3 (restarted after 1 s).
        var pod = ShellPod("restarts", "echo \"run: tmp=[$(ls -A /tmp)] kept=[$(ls -A /kept)]\"; touch /tmp/left /kept/left; sleep 0.3; exit 3",
            configure: c => c.VolumeMounts = [new V1VolumeMount { Name = "kept", MountPath = "/kept" }]);
        pod.Spec.Volumes = [new V1Volume { Name = "kept", EmptyDir = new V1EmptyDirVolumeSource() }];
        await CreateAsync(pod);

        await PodAsync("restarts", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 1, "the container restarted");
        var second = await LogContainsAsync("restarts", "run: ");

        second.Should().Contain("run: tmp=[] kept=[left]", "the restarted container's /tmp is new, the pod's emptyDir is not");
    }

    [ProcessRuntimeFact]
    public async Task EmptyDir_IsSharedByThePodsContainers_MemoryOneIsBounded_AndGoesWithThePod()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "pair" },
            Spec = new V1PodSpec
            {
                NodeName = "node-1",
                TerminationGracePeriodSeconds = 0,
                Volumes =
                [
                    new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() },
                    new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("4Mi") } },
                ],
                Containers =
                [
                    Shell("writer", "echo hello-from-writer > /shared/msg; dd if=/dev/zero of=/scratch/big bs=1M count=8 2>&1 | grep -o 'No space left' | head -1; exec sleep 3600",
                        new V1VolumeMount { Name = "shared", MountPath = "/shared" }, new V1VolumeMount { Name = "scratch", MountPath = "/scratch" }),
                    Shell("reader", "until [ -s /in/msg ]; do sleep 0.1; done; echo got: $(cat /in/msg); exec sleep 3600",
                        new V1VolumeMount { Name = "shared", MountPath = "/in", ReadOnlyProperty = true }),
                ],
            },
        };
        var created = await CreateAsync(pod);

        await LogContainsAsync("pair", "got: hello-from-writer", container: "reader");
        await LogContainsAsync("pair", "No space left", container: "writer");
        var podFolder = Path.Combine(Cluster.ProcessNodeRoot("node-1")!, "var/lib/kubelet/pods", created.Metadata.Uid);
        Directory.Exists(Path.Combine(podFolder, "volumes/kubernetes.io~empty-dir/shared")).Should().BeTrue("emptyDir lives in the node's root, where the kubelet keeps it");
        await Client.CoreV1.DeleteNamespacedPodAsync("pair", Ns);
        await Support.Eventually.UntilAsync(() => !Directory.Exists(podFolder), "the pod's volumes are removed with it", Slow);
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(created.Metadata.Uid, "its memory volume is unmounted");
    }

    [ProcessRuntimeFact]
    public async Task LinkInTheNodesRoot_CannotLeadAHostPathToThisMachinesFiles()
    {
        // A pod puts a link to / in the node's root; a hostPath through it still resolves inside the node's root.
        await CreateAsync(OnNode("node-1", HostPathPod("planter", "/var/tmp", "ln -s / /data/escape && echo planted; exec sleep 3600", type: "Directory")));
        await LogContainsAsync("planter", "planted");

        await CreateAsync(OnNode("node-1", HostPathPod("climber", "/var/tmp/escape/etc", "echo entries: $(ls /data | wc -l); exec sleep 3600", type: "Directory")));

        (await LogContainsAsync("climber", "entries:")).Should().Contain("entries: 0", "the link's / is the node's root, whose /etc is empty, not this machine's /etc");
    }

    [ProcessRuntimeFact]
    public async Task UnsupportedVolumeType_WaitsWithCreateContainerConfigError_NamingIt()
    {
        var pod = ShellPod("configured", "exec sleep 3600", configure: c => c.VolumeMounts = [new V1VolumeMount { Name = "settings", MountPath = "/etc/settings" }]);
        pod.Spec.Volumes = [new V1Volume { Name = "settings", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }];
        await CreateAsync(pod);

        var seen = await PodAsync("configured", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError", "the container cannot be created");

        seen.Status.ContainerStatuses.Single().State.Waiting.Message.Should().Contain("\"settings\"").And.Contain("configMap");
    }

    [ProcessRuntimeFact]
    public async Task HostPathOfTypeDirectory_ThatTheNodeLacks_KeepsTheContainerCreating()
    {
        await CreateAsync(OnNode("node-2", HostPathPod("strict", $"/missing-{_tag}", "exec sleep 3600", type: "Directory")));

        var seen = await PodAsync("strict", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Message?.Contains("hostPath type check failed", StringComparison.Ordinal) == true,
            "the volume cannot be set up");

        seen.Status.ContainerStatuses.Single().State.Waiting.Reason.Should().Be("ContainerCreating");
        Path.Exists(Path.Combine(Cluster.ProcessNodeRoot("node-2")!, $"missing-{_tag}")).Should().BeFalse("type Directory creates nothing");
    }

    private static V1Pod OnNode(string node, V1Pod pod)
    {
        pod.Spec.NodeName = node;
        pod.Spec.TerminationGracePeriodSeconds = 0;
        return pod;
    }

    /// <summary>A pod mounting the node's <paramref name="hostPath"/> at <c>/data</c> (and, unused, at <c>/chaos-test-volume</c>).</summary>
    private static V1Pod HostPathPod(string name, string hostPath, string script, string type = "DirectoryOrCreate")
    {
        var pod = ShellPod(name, script, configure: c => c.VolumeMounts =
        [
            new V1VolumeMount { Name = "node", MountPath = "/data" },
            new V1VolumeMount { Name = "node", MountPath = "/chaos-test-volume" },
        ]);
        pod.Spec.Volumes = [new V1Volume { Name = "node", HostPath = new V1HostPathVolumeSource { Path = hostPath, Type = type } }];
        return pod;
    }

    private static V1Container Shell(string name, string script, params V1VolumeMount[] mounts) =>
        new() { Name = name, Image = "busybox:1.36", Command = ["sh", "-c", script], VolumeMounts = mounts };
}
