using System.Runtime.CompilerServices;
using k8s;
using Xunit;
using Xunit.Abstractions;

namespace Chaos.Testing.Xunit;

/// <summary>
/// Acquires the cluster of the test run once (<see cref="ChaosClusters.AcquireAsync(ChaosClusterOptions?, CancellationToken)"/>)
/// and releases it after the last test. Share it through a collection derived from <see cref="ChaosCollection"/>.
/// </summary>
/// <remarks>
/// When the requested cluster is unavailable, <see cref="SkipReason"/> says why instead of the fixture failing;
/// <see cref="ChaosFactAttribute"/> reports such tests as skipped before they run. In strict mode
/// (<see cref="ChaosClusterOptions.Strict"/>, <c>CHAOS_STRICT=1</c>) the fixture fails instead, so every test of its
/// collection fails with the reason. Derive from this class to pass other <see cref="ChaosClusterOptions"/>.
/// </remarks>
public class ChaosClusterFixture : IAsyncLifetime
{
    /// <summary>The environment variable that keeps per-test namespaces after the tests (<c>true</c>), for debugging.</summary>
    public const string KeepNamespacesVariable = "CHAOS_KEEP_NAMESPACES";

    private readonly ChaosClusterOptions? _options;
    private IChaosCluster? _cluster;

    /// <summary>Initializes a new instance of the <see cref="ChaosClusterFixture"/> class with the default options (and the environment).</summary>
    public ChaosClusterFixture()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ChaosClusterFixture"/> class.</summary>
    /// <param name="options">Which cluster to use.</param>
    protected ChaosClusterFixture(ChaosClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Gets the cluster.</summary>
    /// <exception cref="ChaosClusterUnavailableException">The cluster is unavailable (see <see cref="SkipReason"/>) or not acquired yet.</exception>
    public IChaosCluster Cluster =>
        _cluster ?? throw new ChaosClusterUnavailableException(SkipReason ?? "the cluster is not acquired yet (xUnit calls InitializeAsync before the first test)");

    /// <summary>Gets a client for the cluster.</summary>
    /// <exception cref="ChaosClusterUnavailableException">The cluster is unavailable (see <see cref="SkipReason"/>).</exception>
    public IKubernetes Client => Cluster.Client;

    /// <summary>Gets why the cluster is unavailable (prefixed with <c>Chaos cluster unavailable: </c>), or null when it was acquired.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Gets a value indicating whether per-test namespaces are kept after the tests (<c>CHAOS_KEEP_NAMESPACES=true</c>).</summary>
    public static bool KeepNamespaces =>
        bool.TryParse(Environment.GetEnvironmentVariable(KeepNamespacesVariable), out var keep) && keep;

    /// <summary>
    /// Creates a namespace for the test <paramref name="output"/> belongs to, named after that test even when called
    /// from a helper method; dispose the result (<c>await using</c>) to delete it.
    /// </summary>
    /// <param name="output">The <see cref="ITestOutputHelper"/> xUnit injected into the test class.</param>
    /// <param name="keep">Keeps the namespace after the test; null: <see cref="KeepNamespaces"/>.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The namespace, named <c>chaos-&lt;test method&gt;-&lt;suffix&gt;</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not bound to a running test.</exception>
    public Task<TestNamespace> CreateNamespaceAsync(ITestOutputHelper output, bool? keep = null, CancellationToken cancellationToken = default) =>
        CreateNamespaceAsync(CurrentTest.MethodName(output), keep, cancellationToken);

    /// <summary>
    /// Creates a namespace for one test; dispose the result (<c>await using</c>) to delete it. Called from a helper
    /// method, the default name is the helper's: pass the test's <see cref="ITestOutputHelper"/> instead.
    /// </summary>
    /// <param name="testName">The test's name; by default the calling method's name.</param>
    /// <param name="keep">Keeps the namespace after the test; null: <see cref="KeepNamespaces"/>.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The namespace, named <c>chaos-&lt;test&gt;-&lt;suffix&gt;</c>.</returns>
    public Task<TestNamespace> CreateNamespaceAsync([CallerMemberName] string testName = "", bool? keep = null, CancellationToken cancellationToken = default) =>
        Cluster.CreateTestNamespaceAsync(testName, keep ?? KeepNamespaces, cancellationToken);

    /// <summary>Acquires the cluster; xUnit calls this once before the first test of the collection.</summary>
    /// <returns>A task that completes when the cluster is ready or known to be unavailable.</returns>
    /// <exception cref="ChaosClusterUnavailableException">The cluster is unavailable and strict mode is on.</exception>
    public async Task InitializeAsync()
    {
        try
        {
            _cluster = await ChaosClusters.AcquireAsync(_options);
        }
        catch (ChaosClusterUnavailableException ex)
        {
            SkipReason = ChaosSkip.Prefix + ex.Message;
            if ((_options ?? new ChaosClusterOptions()).ResolveStrict())
            {
                throw new ChaosClusterUnavailableException(
                    $"{SkipReason} (strict mode, {ChaosClusterOptions.StrictVariable} or ChaosClusterOptions.Strict: the tests fail instead of skipping)", ex);
            }

            return;
        }

        // What crashed or interrupted runs left behind is recovered before the first test (docs/recovery.md).
        InitialSweep = await ChaosJanitor.SweepAsync(_cluster.Client, CreateSweepOptions());
    }

    /// <summary>
    /// Gets what the janitor recovered when the cluster was acquired (left by crashed or interrupted runs), or null
    /// when the cluster is unavailable.
    /// </summary>
    public SweepResult? InitialSweep { get; private set; }

    /// <summary>The options of the janitor sweep run when the cluster is acquired; override to register custom recoveries.</summary>
    /// <returns>The sweep options.</returns>
    protected virtual SweepOptions CreateSweepOptions() => new();

    /// <summary>Releases the cluster; xUnit calls this after the last test of the collection.</summary>
    /// <returns>A task that completes when the cluster is released.</returns>
    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }
    }
}
