using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Selectors;

/// <summary>labelSelector and fieldSelector on list requests, as the client sends them.</summary>
public sealed class ListSelectorTests : EmulatorTest
{
    // web-prod {app=web, env=prod}, web-dev {app=web, env=dev}, db-prod {app=db, env=prod}, tool {app=tool} (no env)
    private async Task SeedConfigMapsAsync()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("web-prod", Labels(("app", "web"), ("env", "prod"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("web-dev", Labels(("app", "web"), ("env", "dev"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("db-prod", Labels(("app", "db"), ("env", "prod"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("tool", Labels(("app", "tool"))), Ns);
    }

    private async Task<IEnumerable<string>> NamesAsync(string labelSelector) =>
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: labelSelector)).Items.Own().Select(c => c.Metadata.Name);

    [Theory]
    [InlineData("app=web", new[] { "web-dev", "web-prod" })]
    [InlineData("app==web", new[] { "web-dev", "web-prod" })]
    [InlineData("app=web,env=prod", new[] { "web-prod" })]
    [InlineData("env!=prod", new[] { "tool", "web-dev" })]
    [InlineData("env in (prod,dev)", new[] { "db-prod", "web-dev", "web-prod" })]
    [InlineData("env in (staging)", new string[0])]
    [InlineData("env notin (prod)", new[] { "tool", "web-dev" })]
    [InlineData("env", new[] { "db-prod", "web-dev", "web-prod" })]
    [InlineData("!env", new[] { "tool" })]
    [InlineData("app in (web,db),!tier,env notin (dev)", new[] { "db-prod", "web-prod" })]
    public async Task List_LabelSelector_ReturnsExactlyMatchingObjects(string selector, string[] expected)
    {
        // Arrange
        await SeedConfigMapsAsync();

        // Act
        var names = await NamesAsync(selector);

        // Assert
        names.Should().BeEquivalentTo(expected, $"\"{selector}\" selects exactly those");
    }

    [Fact]
    public async Task List_MalformedLabelSelector_Answers400()
    {
        // Act
        var status = await ((Func<Task>)(() => NamesAsync("app in web"))).ShouldFailWithAsync(HttpStatusCode.BadRequest);

        // Assert
        status.Reason.Should().Be("BadRequest");
        status.Message.Should().Contain("app in web");
    }

    [Fact]
    public async Task List_FieldSelectorMetadataName_ReturnsThatObject()
    {
        // Arrange
        await SeedConfigMapsAsync();

        // Act
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, fieldSelector: "metadata.name=db-prod");
        var negated = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, fieldSelector: "metadata.name!=db-prod");

        // Assert
        list.Items.Should().ContainSingle().Which.Metadata.Name.Should().Be("db-prod");
        negated.Items.Own().Select(c => c.Metadata.Name).Should().BeEquivalentTo("tool", "web-dev", "web-prod");
    }

    [Fact]
    public async Task ListAllNamespaces_FieldSelectorMetadataNamespace_ReturnsThatNamespaceOnly()
    {
        // Arrange
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("other") });
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("mine"), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("theirs"), "other");

        // Act
        var list = await Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.namespace=other");

        // Assert
        list.Items.Own().Should().ContainSingle().Which.Metadata.Name.Should().Be("theirs");
    }

    [Fact]
    public async Task List_FieldSelectorSpecNodeName_ReturnsPodsOfThatNode()
    {
        // Arrange: three pods spread over the three nodes
        foreach (var name in new[] { "a", "b", "c" })
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod(name), Ns);
        }

        var pods = await Eventually.MatchAsync(
            () => Client.CoreV1.ListNamespacedPodAsync(Ns),
            l => l.Items.All(p => p.Spec.NodeName is not null),
            "every pod is scheduled");
        var onNode2 = pods.Items.Where(p => p.Spec.NodeName == "node-2").Select(p => p.Metadata.Name).ToList();

        // Act
        var list = await Client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "spec.nodeName=node-2");
        var unscheduled = await Client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "spec.nodeName=");

        // Assert
        onNode2.Should().NotBeEmpty("the scheduler spreads three pods over three nodes");
        list.Items.Select(p => p.Metadata.Name).Should().BeEquivalentTo(onNode2);
        unscheduled.Items.Should().BeEmpty();
    }

    [Fact]
    public async Task List_FieldSelectorStatusPhase_SeparatesRunningFromPending()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("runs"), Ns);
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("waits"), Ns);
        await Client.WaitForPodRunningAsync(Ns, "runs");

        // Act
        var running = await Client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "status.phase=Running");
        var pending = await Client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "status.phase=Pending");
        var notRunning = await Client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "status.phase!=Running,metadata.namespace=" + Ns);

        // Assert
        running.Items.Select(p => p.Metadata.Name).Should().Equal("runs");
        pending.Items.Select(p => p.Metadata.Name).Should().Equal("waits");
        notRunning.Items.Select(p => p.Metadata.Name).Should().Equal("waits");
    }

    [Theory]
    [InlineData("spec.containers=x")]
    [InlineData("status.phase=Running")] // a pod field, not a config map field
    [InlineData("metadata.labels=x")]
    public async Task List_UnsupportedFieldSelector_Answers400(string selector)
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedConfigMapAsync(Ns, fieldSelector: selector)))
            .ShouldFailWithAsync(HttpStatusCode.BadRequest);

        // Assert
        status.Reason.Should().Be("BadRequest");
        status.Message.Should().Contain("field label not supported").And.Contain(selector.Split('=')[0]);
    }

    [Fact]
    public async Task List_LimitAndContinue_ReturnsEveryItemExactlyOnceOverThreePages()
    {
        // Arrange
        var expected = Enumerable.Range(1, 7).Select(i => $"cm-{i}").ToList();
        foreach (var name in expected)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name, new Dictionary<string, string> { ["set"] = "paged" }), Ns);
        }

        // Act (only the test's own objects: every namespace also holds kube-root-ca.crt)
        var pages = new List<V1ConfigMapList>();
        string? token = null;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "set=paged", limit: 3, continueParameter: token);
            pages.Add(page);
            token = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token) && pages.Count < 10);

        // Assert
        pages.Select(p => p.Items.Count).Should().Equal(3, 3, 1);
        pages[0].Metadata.RemainingItemCount.Should().Be(4);
        pages[1].Metadata.RemainingItemCount.Should().Be(1);
        pages[2].Metadata.ContinueProperty.Should().BeNullOrEmpty("the last page has no continue token");
        var names = pages.SelectMany(p => p.Items).Select(c => c.Metadata.Name).ToList();
        names.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(expected);
    }

    [Fact]
    public async Task List_LimitWithLabelSelector_PagesOnlyMatchingItems()
    {
        // Arrange
        for (var i = 0; i < 6; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"cm-{i}", Labels(("even", (i % 2 == 0).ToString().ToLowerInvariant()))), Ns);
        }

        // Act
        var first = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "even=true", limit: 2);
        var second = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "even=true", limit: 2, continueParameter: first.Metadata.ContinueProperty);

        // Assert
        first.Items.Select(c => c.Metadata.Name).Concat(second.Items.Select(c => c.Metadata.Name))
            .Should().Equal("cm-0", "cm-2", "cm-4");
        second.Metadata.ContinueProperty.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task List_InvalidContinueToken_Answers400()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedConfigMapAsync(Ns, limit: 1, continueParameter: "%%%not-base64%%%")))
            .ShouldFailWithAsync(HttpStatusCode.BadRequest);

        // Assert
        status.Message.Should().Contain("continue");
    }
}
