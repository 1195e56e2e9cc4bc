using Chaos.Testing.Tests.Support;
using k8s;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// A drain while another namespace on the node is being deleted (other tests' namespaces going away): the API server
/// answers an eviction there with 403 "being terminated" (cause NamespaceTerminating), and kubectl drain skips such a
/// pod once it is being deleted. The namespace is deleted between the drain's listing and its eviction, through the
/// same API, so the refusal is the emulator's real NamespaceLifecycle answer, not a stub.
/// </summary>
public sealed class DrainTerminatingNamespaceTests
{
    private const string Leaving = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: leaving
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: old
          namespace: leaving
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: old
          template:
            metadata:
              labels:
                app: old
            spec:
              nodeSelector:
                kubernetes.io/hostname: node-3
              containers:
                - name: old
                  image: example/old:1.0
        """;

    [Fact]
    public async Task Drain_SkipsThePodOfANamespaceThatStartsTerminating_AndFinishes()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: Leaving);
        await cluster.WaitForReadyPodsAsync("leaving", "app=old", 1);
        using var deleteFirst = new DeleteNamespaceBeforeItsFirstEviction(cluster.Emulator.BaseAddress, "leaving");
        using var client = new Kubernetes(cluster.Emulator.CreateClientConfiguration(), deleteFirst);

        var result = await Experiment.On(Nodes.Named("node-3")).Drain(o => o.Timeout = TimeSpan.FromSeconds(30)).For(TimeSpan.FromMilliseconds(300)).RunAsync(client);

        deleteFirst.Refusal.Should().Contain("\"reason\":\"NamespaceTerminating\"", "the eviction was answered as the API server answers it in a namespace being deleted");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.FailureReason);
        result.Affected.Should().ContainSingle(a => a.Namespace == "leaving")
            .Which.Action.Should().Be("not evicted from node-3: its namespace leaving is being terminated, the pod goes with it");
        result.Affected.Select(a => $"{a.Kind} {a.Name}: {a.Action}").Should().StartWith("Node node-3: cordoned").And.EndWith("Node node-3: uncordoned");
    }

    /// <summary>Deletes the namespace when the drain sends the first eviction there, then lets the eviction through and keeps the answer.</summary>
    private sealed class DeleteNamespaceBeforeItsFirstEviction(Uri server, string ns) : DelegatingHandler
    {
        private int _deleted;

        public string Refusal { get; private set; } = "(no eviction was refused)";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var eviction = request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.StartsWith($"/api/v1/namespaces/{ns}/pods/", StringComparison.Ordinal)
                && request.RequestUri.AbsolutePath.EndsWith("/eviction", StringComparison.Ordinal);
            if (eviction && Interlocked.Exchange(ref _deleted, 1) == 0)
            {
                using var delete = new HttpRequestMessage(HttpMethod.Delete, new Uri(server, $"/api/v1/namespaces/{ns}"));
                using var deleted = await base.SendAsync(delete, cancellationToken);
                deleted.EnsureSuccessStatusCode();
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (eviction && (int)response.StatusCode == 403)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                Refusal = await response.Content.ReadAsStringAsync(cancellationToken);
            }

            return response;
        }
    }
}
