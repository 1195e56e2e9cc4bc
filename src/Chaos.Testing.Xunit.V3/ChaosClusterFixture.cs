using k8s;
using Xunit;
using Xunit.v3;

namespace Chaos.Testing.Xunit;

/// <summary>
/// Acquires the cluster of the test run once (<see cref="ChaosClusters.AcquireAsync(ChaosClusterOptions?, CancellationToken)"/>)
/// and releases it after the last test. Share it through a collection derived from <see cref="ChaosCollection"/>.
/// </summary>
/// <remarks>
/// When the requested cluster is unavailable, <see cref="SkipReason"/> says why instead of the fixture failing, and a
/// test that uses <see cref="Cluster"/> is reported as skipped with that reason (xUnit v3's dynamic skip). In strict
/// mode (<see cref="ChaosClusterOptions.Strict"/>, <c>CHAOS_STRICT=1</c>) the fixture fails instead, so every test of
/// its collection fails with the reason. Derive from this class to pass other <see cref="ChaosClusterOptions"/>.
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
    /// <exception cref="ChaosClusterUnavailableException">
    /// The cluster is unavailable (see <see cref="SkipReason"/>): inside a running test its message starts with xUnit's
    /// dynamic-skip token, so the test is reported as skipped with the reason; elsewhere, or before the cluster is acquired,
    /// it is an ordinary exception.
    /// </exception>
    public IChaosCluster Cluster => _cluster ?? throw Unavailable();

    /// <summary>Gets a client for the cluster.</summary>
    /// <exception cref="ChaosClusterUnavailableException">The cluster is unavailable (see <see cref="Cluster"/>).</exception>
    public IKubernetes Client => Cluster.Client;

    /// <summary>Gets why the cluster is unavailable (prefixed with <c>Chaos cluster unavailable: </c>), or null when it was acquired.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Gets a value indicating whether per-test namespaces are kept after the tests (<c>CHAOS_KEEP_NAMESPACES=true</c>).</summary>
    public static bool KeepNamespaces =>
        bool.TryParse(Environment.GetEnvironmentVariable(KeepNamespacesVariable), out var keep) && keep;

    /// <summary>
    /// Gets what the janitor recovered when the cluster was acquired (left by crashed or interrupted runs), or null
    /// when the cluster is unavailable.
    /// </summary>
    public SweepResult? InitialSweep { get; private set; }

    /// <summary>
    /// Creates a namespace for one test; dispose the result (<c>await using</c>) to delete it. Without a name it is named
    /// after the running test (<see cref="TestContext.Current"/>), also when a helper method makes the call.
    /// </summary>
    /// <param name="testName">The name; null: the running test method's.</param>
    /// <param name="keep">Keeps the namespace after the test; null: <see cref="KeepNamespaces"/>.</param>
    /// <param name="cancellationToken">Cancels the creation; none: the test's own (<see cref="ITestContext.CancellationToken"/>).</param>
    /// <returns>The namespace, named <c>chaos-&lt;test&gt;-&lt;suffix&gt;</c>.</returns>
    /// <exception cref="InvalidOperationException">No name was given and no test is running.</exception>
    public Task<TestNamespace> CreateNamespaceAsync(string? testName = null, bool? keep = null, CancellationToken cancellationToken = default)
    {
        var cluster = Cluster;
        return cluster.CreateTestNamespaceAsync(
            testName ?? CurrentTest.MethodName(),
            keep ?? KeepNamespaces,
            cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Creates a namespace named after the test <paramref name="output"/> belongs to (the v2 adapter's way; with v3 the
    /// parameterless call does the same); dispose the result (<c>await using</c>) to delete it.
    /// </summary>
    /// <param name="output">The <see cref="ITestOutputHelper"/> xUnit injected into the test class.</param>
    /// <param name="keep">Keeps the namespace after the test; null: <see cref="KeepNamespaces"/>.</param>
    /// <param name="cancellationToken">Cancels the creation; none: the test's own.</param>
    /// <returns>The namespace, named <c>chaos-&lt;test method&gt;-&lt;suffix&gt;</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not the running test's.</exception>
    public Task<TestNamespace> CreateNamespaceAsync(ITestOutputHelper output, bool? keep = null, CancellationToken cancellationToken = default) =>
        CreateNamespaceAsync(CurrentTest.MethodName(output), keep, cancellationToken);

    /// <summary>Acquires the cluster; xUnit calls this once before the first test of the collection.</summary>
    /// <returns>A task that completes when the cluster is ready or known to be unavailable.</returns>
    /// <exception cref="ChaosClusterUnavailableException">The cluster is unavailable and strict mode is on.</exception>
    public async ValueTask InitializeAsync()
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

    /// <summary>The options of the janitor sweep run when the cluster is acquired; override to register custom recoveries.</summary>
    /// <returns>The sweep options.</returns>
    protected virtual SweepOptions CreateSweepOptions() => new();

    /// <summary>Releases the cluster; xUnit calls this after the last test of the collection.</summary>
    /// <returns>A task that completes when the cluster is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }

        GC.SuppressFinalize(this);
    }

    private ChaosClusterUnavailableException Unavailable() =>
        SkipReason is null
            ? new ChaosClusterUnavailableException("the cluster is not acquired yet (xUnit calls InitializeAsync before the first test)")
            : TestContext.Current.Test is not null
                ? new ChaosClusterUnavailableException(DynamicSkipToken.Value + SkipReason)
                : new ChaosClusterUnavailableException(SkipReason);
}
