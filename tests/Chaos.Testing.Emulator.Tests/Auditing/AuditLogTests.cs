using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Auditing;

/// <summary>The audit log as tests read it: what was asked, by whom, and with what answer.</summary>
public sealed class AuditLogTests : EmulatorTest
{
    [Fact]
    public async Task Entries_AfterClientCalls_RecordVerbPathUserAgentAndStatus()
    {
        // Arrange
        Cluster.Audit.Clear();

        // Act
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "app=web");
        await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedConfigMapAsync("missing", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);

        // Assert
        var entries = await Cluster.Audit.EntriesAsync(4);
        entries.Select(e => (e.Verb, e.Method, e.Path, e.StatusCode)).Should().Equal(
            ("create", "POST", "/api/v1/namespaces/shop/configmaps", 201),
            ("get", "GET", "/api/v1/namespaces/shop/configmaps/settings", 200),
            ("list", "GET", "/api/v1/namespaces/shop/configmaps", 200),
            ("get", "GET", "/api/v1/namespaces/shop/configmaps/missing", 404));
        entries.Should().OnlyContain(e => e.UserAgent.Length > 0, "KubernetesClient sends a User-Agent");
        entries.Select(e => e.UserAgent).Distinct().Should().ContainSingle();
        entries.Should().OnlyContain(e => e.Resource == "configmaps" && e.Namespace == Ns && !e.InjectedFault);
        entries[1].Name.Should().Be("settings");
        entries[2].Query.Should().Contain("labelSelector=app%3Dweb");
        entries[0].IsWrite.Should().BeTrue();
        entries[1].IsWrite.Should().BeFalse();
    }

    [Fact]
    public async Task Entries_UserAgent_IsTheClientsHeader()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("chaos-probe/1.0");
        Cluster.Audit.Clear();

        // Act
        using var response = await http.GetAsync(new Uri("/api/v1/nodes", UriKind.Relative));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Cluster.Audit.EntriesAsync(1)).Should().ContainSingle().Which.UserAgent.Should().Be("chaos-probe/1.0");
    }

    [Fact]
    public async Task Entries_Subresource_RecordsResourceSubresourceAndName()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        Cluster.Audit.Clear();

        // Act
        await Client.CoreV1.ReadNamespacedPodStatusAsync("web", Ns);

        // Assert
        var entry = (await Cluster.Audit.EntriesAsync(1)).Should().ContainSingle().Which;
        entry.Resource.Should().Be("pods");
        entry.Subresource.Should().Be("status");
        entry.Name.Should().Be("web");
        entry.ToString().Should().Be("get /api/v1/namespaces/shop/pods/web/status -> 200");
    }

    [Fact]
    public async Task Entries_Discovery_HasNoResource()
    {
        // Arrange
        Cluster.Audit.Clear();

        // Act
        await Client.Version.GetCodeAsync();

        // Assert
        var entry = (await Cluster.Audit.EntriesAsync(1)).Should().ContainSingle().Which;
        entry.Path.TrimEnd('/').Should().Be("/version");
        entry.Resource.Should().BeEmpty();
        entry.Verb.Should().Be("get");
    }

    [Fact]
    public async Task Clear_AfterRequests_EmptiesTheLog()
    {
        // Arrange
        await Client.CoreV1.ListNodeAsync();
        await Cluster.Audit.EntriesAsync(1);

        // Act
        Cluster.Audit.Clear();

        // Assert
        Cluster.Audit.Entries.Should().BeEmpty();
        Cluster.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Writes_ReadOnlySequence_IsEmpty()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        Cluster.Audit.Clear();

        // Act
        await Client.Version.GetCodeAsync();
        await Client.CoreV1.ListNodeAsync();
        await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "status.phase=Running");
        await Client.AppsV1.ListNamespacedDeploymentAsync(Ns);

        // Assert
        (await Cluster.Audit.EntriesAsync(5)).Should().HaveCount(5);
        Cluster.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Writes_MixedSequence_ListsOnlyTheWritesInOrder()
    {
        // Arrange
        Cluster.Audit.Clear();

        // Act
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"b"}}""", V1Patch.PatchType.MergePatch), "settings", Ns);
        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(Ns);

        // Assert
        await Cluster.Audit.EntriesAsync(4);
        Cluster.Audit.Writes.Select(e => e.Verb).Should().Equal("create", "patch", "deletecollection");
    }

    [Fact]
    public async Task Writes_DryRunCreate_IsStillRecordedAsWriteButStoresNothing()
    {
        // Arrange
        Cluster.Audit.Clear();

        // Act
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dry"), Ns, dryRun: "All");

        // Assert
        await Cluster.Audit.EntriesAsync(1);
        Cluster.Audit.Writes.Should().ContainSingle().Which.Query.Should().Contain("dryRun=All");
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Own().Should().BeEmpty();
    }

    [Fact]
    public async Task Entries_RightAfterEachCall_AlreadyContainThatCall()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        Cluster.Audit.Clear();
        var missing = new List<int>();

        // Act
        for (var i = 1; i <= 300; i++)
        {
            await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
            if (Cluster.Audit.Entries.Count != i)
            {
                missing.Add(i);
            }

            await Eventually.UntilAsync(() => Cluster.Audit.Entries.Count == i, $"request {i} is audited");
        }

        // Assert
        missing.Should().BeEmpty("a test that asserts on the audit log right after a call must see that call");
    }
}
