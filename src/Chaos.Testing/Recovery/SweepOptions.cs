namespace Chaos.Testing;

/// <summary>Options of <see cref="ChaosJanitor.SweepAsync(k8s.IKubernetes, SweepOptions?, CancellationToken)"/>.</summary>
public sealed class SweepOptions
{
    private readonly Dictionary<string, Func<CustomFaultContext, CancellationToken, Task>> _custom = new(StringComparer.Ordinal);
    private SafetyOptions _safety = new();

    /// <summary>
    /// Gets or sets a value indicating whether every ledger entry is recovered, even one whose run is alive (renews its
    /// Lease): the janitor takes the run's Lease, and the run reports that it was recovered early.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Force { get; set; }

    /// <summary>
    /// Gets or sets the clock on which the janitor measures how long it watched a run's Lease for a renewal (only its rate
    /// matters, never its offset: a janitor whose clock is hours off judges the same). Retries and time bounds use real time.
    /// </summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets the guards the janitor applies before it acts: an entry on an object they protect (a protected,
    /// production-looking or excluded namespace, an excluded object) is reported under <see cref="SweepResult.Failed"/>
    /// and left alone, as an experiment would be refused there.
    /// </summary>
    /// <value>The default value is the default <see cref="SafetyOptions"/>.</value>
    public SafetyOptions Safety
    {
        get => _safety;
        set => _safety = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Gets the images the janitor's payload cleanups run, by fault name (e.g. <c>["network-delay"] = "registry.local/netshoot:v0.13"</c>).
    /// A fault not listed uses its default image (the default of its options' <c>Image</c>). A ledger entry never
    /// chooses the image: set this when your runs used another image, e.g. a mirror on an air-gapped cluster.
    /// </summary>
    public IDictionary<string, string> PayloadImages { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the namespace node payload pods ran in (their <c>Namespace</c> option): the janitor's cleanup pods go there.</summary>
    /// <value>The default value is <c>default</c>.</value>
    public string NodePayloadNamespace { get; set; } = "default";

    internal IReadOnlyDictionary<string, Func<CustomFaultContext, CancellationToken, Task>> Custom => _custom;

    /// <summary>Gets the payload configuration restores use (a copy, so later changes to these options are not seen mid-sweep).</summary>
    internal PayloadConfiguration Payloads => new(new Dictionary<string, string>(PayloadImages, StringComparer.Ordinal), NodePayloadNamespace);

    /// <summary>Registers the recovery of a custom fault (the <c>name</c> given to <c>Inject(...)</c>), so the janitor can undo it after a crash.</summary>
    /// <param name="name">The custom fault's name.</param>
    /// <param name="recover">Its recover delegate (the same one the experiment uses).</param>
    /// <returns>These options.</returns>
    public SweepOptions RecoverCustom(string name, Func<CustomFaultContext, CancellationToken, Task> recover)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(recover);
        _custom[name] = recover;
        return this;
    }
}
