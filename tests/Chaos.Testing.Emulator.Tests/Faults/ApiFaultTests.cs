using System.Diagnostics;
using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Autorest;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Faults;

/// <summary>Injected API errors and latency, as a client sees them.</summary>
public sealed class ApiFaultTests : EmulatorTest
{
    [Fact]
    public async Task Add_StatusCodeTwice_FailsTwoListsThenSucceeds()
    {
        // Arrange
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 503, Verbs = ["list"], Resource = "pods", Times = 2 });
        Cluster.Audit.Clear();

        // Act
        var first = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedPodAsync(Ns))).ShouldFailWithAsync(HttpStatusCode.ServiceUnavailable);
        var second = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedPodAsync(Ns))).ShouldFailWithAsync(HttpStatusCode.ServiceUnavailable);
        var third = await Client.CoreV1.ListNamespacedPodAsync(Ns);

        // Assert
        first.Reason.Should().Be("ServiceUnavailable");
        first.Code.Should().Be(503);
        first.Message.Should().Contain("fault injected");
        second.Reason.Should().Be("ServiceUnavailable");
        third.Items.Should().BeEmpty();
        (await Cluster.Audit.EntriesAsync(3)).Select(e => (e.StatusCode, e.InjectedFault)).Should().Equal((503, true), (503, true), (200, false));
        Cluster.ApiFaults.InjectedCount.Should().Be(2);
    }

    [Fact]
    public async Task Add_FaultForListPods_LeavesOtherRequestsAlone()
    {
        // Arrange
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 500, Verbs = ["list"], Resource = "pods" });

        // Act
        var nodes = await Client.CoreV1.ListNodeAsync();
        var created = await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        var read = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);
        var version = await Client.Version.GetCodeAsync();

        // Assert
        nodes.Items.Should().HaveCount(3);
        read.Metadata.Uid.Should().Be(created.Metadata.Uid);
        version.Major.Should().Be("1", "discovery is never faulted");
        Cluster.ApiFaults.InjectedCount.Should().Be(0);
    }

    [Fact]
    public async Task Add_FaultInOneNamespace_SparesOtherNamespaces()
    {
        // Arrange
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 500, Namespace = Ns });

        // Act
        var other = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        var status = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedConfigMapAsync(Ns))).ShouldFailWithAsync(HttpStatusCode.InternalServerError);

        // Assert
        other.Items.Own().Should().BeEmpty();
        status.Reason.Should().Be("InternalError");
    }

    [Fact]
    public async Task Add_SubresourceFault_FailsEvictionOnly()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 429, Resource = "pods/eviction" });
        var eviction = new k8s.Models.V1Eviction { Metadata = Meta("web", ns: Ns) };

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, "web", Ns))).ShouldFailWithAsync(HttpStatusCode.TooManyRequests);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);

        // Assert
        status.Reason.Should().Be("TooManyRequests");
        status.Details.RetryAfterSeconds.Should().Be(1);
        pod.Metadata.DeletionTimestamp.Should().BeNull();
    }

    [Fact]
    public async Task Dispose_AddedFault_RemovesIt()
    {
        // Arrange
        var fault = Cluster.ApiFaults.Add(new ApiFault { StatusCode = 500, Verbs = ["list"] });
        await ((Func<Task>)(() => Client.CoreV1.ListNodeAsync())).ShouldFailWithAsync(HttpStatusCode.InternalServerError);

        // Act
        fault.Dispose();

        // Assert
        (await Client.CoreV1.ListNodeAsync()).Items.Should().HaveCount(3);
    }

    [Fact]
    public async Task Clear_AddedFaults_RemovesAll()
    {
        // Arrange
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 500, Verbs = ["list"] });
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 503, Verbs = ["get"] });

        // Act
        Cluster.ApiFaults.Clear();

        // Assert
        (await Client.CoreV1.ListNodeAsync()).Items.Should().HaveCount(3);
        (await Client.CoreV1.ReadNodeAsync("node-1")).Metadata.Name.Should().Be("node-1");
    }

    [Fact]
    public async Task Add_Latency_DelaysTheRequest()
    {
        // Arrange
        Cluster.ApiFaults.Add(new ApiFault { Latency = TimeSpan.FromMilliseconds(200), Verbs = ["get"], Resource = "nodes" });
        Cluster.Audit.Clear();
        var stopwatch = Stopwatch.StartNew();

        // Act
        var node = await Client.CoreV1.ReadNodeAsync("node-1");
        stopwatch.Stop();

        // Assert
        node.Metadata.Name.Should().Be("node-1", "latency alone does not fail the request");
        stopwatch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(150));
        Cluster.ApiFaults.InjectedCount.Should().Be(1);
        (await Cluster.Audit.EntriesAsync(1)).Should().ContainSingle().Which.Should().Match<AuditEntry>(e => e.StatusCode == 200 && e.InjectedFault);
    }

    [Fact]
    public async Task Add_ProbabilityHalfWithSeed_InjectsAboutHalfOf200Requests()
    {
        // Arrange
        Cluster.ApiFaults.Add(new ApiFault { StatusCode = 503, Verbs = ["get"], Resource = "nodes", Probability = 0.5 });
        var failures = 0;

        // Act
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await Client.CoreV1.ReadNodeAsync("node-1");
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                failures++;
            }
        }

        // Assert
        failures.Should().BeInRange(70, 130);
        Cluster.ApiFaults.InjectedCount.Should().Be(failures);
        (await Cluster.Audit.EntriesAsync(200 + 1)).Count(e => e.InjectedFault).Should().Be(failures);
    }

    [Fact]
    public async Task Add_SameSeed_InjectsTheSameSequence()
    {
        // Arrange
        async Task<string> RunAsync()
        {
            await using var cluster = await KubernetesEmulator.StartAsync(o => o.Seed = 42);
            cluster.ApiFaults.Add(new ApiFault { StatusCode = 500, Verbs = ["list"], Probability = 0.5 });
            var outcomes = new System.Text.StringBuilder();
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await cluster.Client.CoreV1.ListNodeAsync();
                    outcomes.Append('.');
                }
                catch (HttpOperationException)
                {
                    outcomes.Append('X');
                }
            }

            return outcomes.ToString();
        }

        // Act
        var first = await RunAsync();
        var second = await RunAsync();

        // Assert
        first.Should().Contain("X").And.Contain(".");
        second.Should().Be(first, "a seeded emulator replays the same fault draws");
    }

    [Fact]
    public void Add_StatusCode200_ThrowsArgumentExceptionNamingTheField()
    {
        // Act
        var act = () => Cluster.ApiFaults.Add(new ApiFault { StatusCode = 200 });

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*StatusCode*").Which.Message.Should().Contain("200");
    }

    [Fact]
    public void Add_SeveralInvalidFields_ListsEveryField()
    {
        // Act
        var act = () => Cluster.ApiFaults.Add(new ApiFault { StatusCode = 302, Latency = TimeSpan.FromSeconds(-1), Probability = 2, Times = 0 });

        // Assert
        var message = act.Should().Throw<ArgumentException>().Which.Message;
        message.Should().Contain("StatusCode").And.Contain("Latency").And.Contain("Probability").And.Contain("Times");
    }

    [Fact]
    public void Add_NeitherStatusNorLatency_ThrowsArgumentException()
    {
        // Act
        var act = () => Cluster.ApiFaults.Add(new ApiFault { Verbs = ["get"] });

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*StatusCode/Latency*");
    }
}
