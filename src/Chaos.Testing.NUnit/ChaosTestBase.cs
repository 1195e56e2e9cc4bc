using System.Text.RegularExpressions;
using k8s;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Chaos.Testing.NUnit;

/// <summary>
/// A base class for chaos tests: the run's <see cref="Cluster"/> and <see cref="Client"/>, a fresh
/// <see cref="Namespace"/> for each test (deleted after it unless <c>CHAOS_KEEP_NAMESPACES=true</c>), helpers to
/// apply manifests and report results, and a <see cref="Logger"/> writing to the test output. When the cluster is
/// unavailable every test is reported as Ignored with the reason. The fixtures do not run in parallel: chaos
/// tests must not overlap.
/// </summary>
[NonParallelizable]
public abstract partial class ChaosTestBase
{
    /// <summary>The environment variable that keeps the per-test namespaces after the tests, for debugging (<c>true</c> or <c>1</c>).</summary>
    public const string KeepNamespacesVariable = "CHAOS_KEEP_NAMESPACES";

    private TestNamespace? _namespace;
    private ILogger? _logger;

    /// <summary>Gets the cluster of the test run (see <see cref="ChaosClusterSetUp"/>).</summary>
    /// <exception cref="InvalidOperationException">No <see cref="ChaosClusterSetUp"/> fixture acquired a cluster.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Instance members of a test base class, so a later version can give each fixture its own cluster.")]
    protected IChaosCluster Cluster => ChaosCluster.Current ?? throw new InvalidOperationException(NoClusterMessage);

    /// <summary>Gets a client for the cluster.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "See Cluster.")]
    protected IKubernetes Client => Cluster.Client;

    /// <summary>Gets the namespace created for the current test.</summary>
    /// <exception cref="InvalidOperationException">Read outside a test.</exception>
    protected string Namespace => _namespace?.Name ?? throw new InvalidOperationException("The test namespace exists only while a test runs (between SetUp and TearDown).");

    /// <summary>Gets a logger writing to the current test's output; pass it to <c>WithLogger</c>.</summary>
    protected ILogger Logger => _logger ??= new TestOutputLogger();

    /// <summary>Gets how long <see cref="ApplyAsync"/> waits for the applied workloads to be Ready.</summary>
    /// <value>The default value is 60 seconds.</value>
    protected virtual TimeSpan ReadyTimeout => TimeSpan.FromSeconds(60);

    private static string NoClusterMessage =>
        "No chaos cluster: add a class deriving ChaosClusterSetUp with [SetUpFixture] to the test assembly (outside any namespace, or in the tests' namespace).";

    /// <summary>Skips the test when its cluster is unavailable; otherwise creates the test's namespace.</summary>
    /// <returns>A task that completes when the namespace exists.</returns>
    [SetUp]
    public async Task CreateChaosNamespaceAsync()
    {
        _logger = new TestOutputLogger(TestContext.Out);
        var cluster = ChaosCluster.Current;
        if (cluster is null)
        {
            if (ChaosCluster.UnavailableReason is { } reason)
            {
                Assert.Ignore(ChaosCluster.SkipPrefix + reason);
            }

            Assert.Fail(NoClusterMessage);
        }

        var kind = TestContext.CurrentContext.Test.Properties.Get(ChaosTestAttribute.KindProperty) as string;
        if (kind is not null && !string.Equals(kind.Trim(), cluster!.Kind, StringComparison.OrdinalIgnoreCase))
        {
            Assert.Ignore($"{ChaosCluster.SkipPrefix}the test needs {kind} but this run uses {cluster.Kind} (set {ChaosClusterOptions.KindVariable}={kind})");
        }

        _namespace = await cluster!.CreateTestNamespaceAsync(TestContext.CurrentContext.Test.Name, KeepNamespaces(), TestContext.CurrentContext.CancellationToken);
    }

    /// <summary>Deletes the test's namespace, unless <c>CHAOS_KEEP_NAMESPACES=true</c>.</summary>
    /// <returns>A task that completes when the deletion was accepted.</returns>
    [TearDown]
    public async Task DeleteChaosNamespaceAsync()
    {
        var ns = _namespace;
        _namespace = null;
        if (ns is null)
        {
            return;
        }

        if (KeepNamespaces())
        {
            await TestContext.Out.WriteLineAsync($"Kept namespace {ns.Name} ({KeepNamespacesVariable}=true).");
        }

        await ns.DisposeAsync();
    }

    /// <summary>Applies manifests (several separated by <c>---</c>) into the test's namespace, then waits until its workloads are Ready.</summary>
    /// <param name="yaml">The manifests; their own namespaces are overridden.</param>
    /// <param name="cancellationToken">Cancels the apply and the wait.</param>
    /// <returns>The applied objects as <c>Kind/namespace/name</c>.</returns>
    /// <exception cref="TimeoutException">Not Ready within <see cref="ReadyTimeout"/>; the message lists what.</exception>
    protected async Task<IReadOnlyList<string>> ApplyAsync(string yaml, CancellationToken cancellationToken = default)
    {
        var applied = await Cluster.ApplyAsync(yaml, Namespace, cancellationToken);
        await WaitForReadyAsync(null, cancellationToken);
        return applied;
    }

    /// <summary>Waits until every Deployment, StatefulSet, DaemonSet and bare pod of the test's namespace is Ready.</summary>
    /// <param name="timeout">How long to wait, or null for <see cref="ReadyTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when all are Ready.</returns>
    /// <exception cref="TimeoutException">Not Ready in time; the message lists what.</exception>
    protected Task WaitForReadyAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Cluster.WaitForReadyAsync(Namespace, timeout ?? ReadyTimeout, cancellationToken);

    /// <summary>
    /// Writes the result's report to the test output, and its JSON (<see cref="ChaosReport.ToJson(ChaosResult)"/>) and
    /// HTML report to files in the test's work directory, attached to the test as <c>chaos result</c> and
    /// <c>chaos report</c>. When a reports folder is set (<see cref="ChaosReport.Directory"/>, the <c>CHAOS_REPORTS_DIR</c>
    /// environment variable), also writes the result's files there, named after the test, and refreshes its suite summary.
    /// </summary>
    /// <param name="result">The result.</param>
    /// <returns>The path of the JSON file.</returns>
    protected static string Report(ChaosResult result) => ReportToTest(result);

    /// <summary>What <see cref="Report"/> does, for any NUnit test.</summary>
    internal static string ReportToTest(ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        TestContext.Out.WriteLine(result.ToReport());
        var name = NotFileSafe().Replace(TestContext.CurrentContext.Test.Name, "_");
        var stem = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"chaos-result-{name}-{result.ExperimentId}");
        File.WriteAllText(stem + ".json", result.ToJson());
        File.WriteAllText(stem + ".html", result.ToHtml());
        TestContext.AddTestAttachment(stem + ".json", "chaos result");
        TestContext.AddTestAttachment(stem + ".html", "chaos report");
        if (ChaosReport.Publish(result, TestContext.CurrentContext.Test.FullName) is { } files)
        {
            TestContext.Out.WriteLine($"Chaos report: {files.Html}");
        }

        return stem + ".json";
    }

    private static bool KeepNamespaces() =>
        Environment.GetEnvironmentVariable(KeepNamespacesVariable)?.Trim() is { } keep
        && (keep == "1" || keep.Equals("true", StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NotFileSafe();
}
