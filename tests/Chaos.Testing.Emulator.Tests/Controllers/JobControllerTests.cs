using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>
/// The Job controller: pods up to parallelism until completions succeed; failures counted against backoffLimit; pods
/// tracked by a finalizer so that deleted ones count. Pods succeed here the way the emulator runs payload pods (a
/// container that declares a hold of 0 seconds exits 0); failures are written by the test through pods/status, as a
/// kubelet reports them.
/// </summary>
public sealed class JobControllerTests : EmulatorTest
{
    [Fact]
    public async Task Job_RunsPodsToCompletions_NeverMoreThanParallelismAtOnce()
    {
        // Arrange
        var job = Job("batch", completions: 3, parallelism: 2, holdSeconds: "0");
        var maxActive = 0;

        // Act
        await Client.BatchV1.CreateNamespacedJobAsync(job, Ns);
        var done = await Eventually.MatchAsync(
            async () =>
            {
                var current = await Client.BatchV1.ReadNamespacedJobAsync("batch", Ns);
                maxActive = Math.Max(maxActive, current.Status?.Active ?? 0);
                return current;
            },
            j => j.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true,
            "the job completes");

        // Assert
        done.Status.Succeeded.Should().Be(3, "three pods had to succeed");
        done.Status.CompletionTime.Should().NotBeNull();
        maxActive.Should().BeLessThanOrEqualTo(2, "parallelism is 2");
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "job-name=batch")).Items;
        pods.Where(p => p.Status.Phase == "Succeeded").Should().HaveCount(3, "each completion is a pod that succeeded");
        pods.Should().OnlyContain(p => p.Metadata.Finalizers == null || !p.Metadata.Finalizers.Contains("batch.kubernetes.io/job-tracking"),
            "counted pods lose the tracking finalizer");
        var events = (await Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=batch")).Items;
        events.Select(e => e.Reason).Should().Contain("SuccessfulCreate").And.Contain("Completed");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task FailedPod_BeyondBackoffLimit_FailsTheJob_AndItsPodIsNotReplaced()
    {
        // Arrange
        var job = Job("flaky", completions: 1, parallelism: 1, holdSeconds: null);
        job.Spec.BackoffLimit = 0;
        await Client.BatchV1.CreateNamespacedJobAsync(job, Ns);
        var pod = await Eventually.MatchAsync(
            () => Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "job-name=flaky"),
            l => l.Items.Count == 1 && l.Items[0].Status.Phase == "Running",
            "the job's pod runs");

        // Act: the container exits 1, as the kubelet would report it.
        var name = pod.Items[0].Metadata.Name;
        var patch = new V1Patch("{\"status\":{\"phase\":\"Failed\"}}", V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNamespacedPodStatusAsync(patch, name, Ns);

        // Assert
        var failed = await Eventually.MatchAsync(
            () => Client.BatchV1.ReadNamespacedJobAsync("flaky", Ns),
            j => j.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true,
            "the job fails");
        failed.Status.Conditions.Should().Contain(c => c.Type == "Failed" && c.Reason == "BackoffLimitExceeded");
        failed.Status.Failed.Should().Be(1);
        (await Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "job-name=flaky")).Items.Should().ContainSingle("a failed job starts no more pods");
    }

    [Fact]
    public async Task JobWithRestartPolicyAlways_IsRejected()
    {
        var job = Job("bad", completions: 1, parallelism: 1, holdSeconds: null);
        job.Spec.Template.Spec.RestartPolicy = "Always";

        Func<Task> act = () => Client.BatchV1.CreateNamespacedJobAsync(job, Ns);

        var status = await act.ShouldFailWithAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        status.Message.Should().Contain("spec.template.spec.restartPolicy");
    }

    internal static V1Job Job(string name, int completions, int parallelism, string? holdSeconds) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "work",
                            Image = Manifests.Image,
                            Env = holdSeconds is null ? null : [new V1EnvVar { Name = "CHAOS_TESTING_HOLD_SECONDS", Value = holdSeconds }],
                        },
                    ],
                },
            },
        },
    };
}
