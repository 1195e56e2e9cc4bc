using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>How manifests are run: the clock, dry run, the default hold, and hooks to change each experiment or watch progress.</summary>
public sealed class ManifestRunOptions
{
    /// <summary>Gets or sets the clock for time windows, retry delays and the experiments' holds.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets a value indicating whether every manifest runs as a dry run (planned and guarded, nothing written), whatever its <c>dryRun</c>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; set; }

    /// <summary>
    /// Gets or sets the hold of an action whose manifest gives neither <c>duration</c> nor <c>experimentDuration</c>
    /// (the operator would hold it until the experiment is deleted): node-drain, pod-failure, and pod-delay (whose duration is its latency).
    /// </summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan DefaultHold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets a logger for every experiment's steps; null for none.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Gets or sets a change made to each experiment before it runs, e.g. adding steady-state probes or project safety defaults.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ChaosManifest, ChaosExperiment, ChaosExperiment>? Configure { get; set; }

    /// <summary>Gets or sets what is told each result as soon as its manifest is done (e.g. to print progress).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<ManifestRunResult>? Progress { get; set; }
}
