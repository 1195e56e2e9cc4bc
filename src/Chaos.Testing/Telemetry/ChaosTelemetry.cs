using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chaos.Testing;

/// <summary>
/// The names under which experiments publish OpenTelemetry data through <c>System.Diagnostics</c> (no SDK needed here):
/// add them to your tracer and meter providers, e.g. <c>.AddSource(ChaosTelemetry.ActivitySourceName)</c> and
/// <c>.AddMeter(ChaosTelemetry.MeterName)</c>. The spans, attributes and instruments are listed in docs/telemetry.md.
/// </summary>
public static class ChaosTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/>: a span per experiment and per phase (plan, inject, hold, recover).</summary>
    public const string ActivitySourceName = "Chaos.Testing";

    /// <summary>The name of the <see cref="Meter"/> whose instruments mirror the chaos operator's metrics (<c>chaosexperiment_*</c>).</summary>
    public const string MeterName = "Chaos.Testing";

    private static readonly string? Version = typeof(ChaosTelemetry).Assembly.GetName().Version?.ToString();

    internal static ActivitySource Source { get; } = new(ActivitySourceName, Version);

    internal static Meter Meter { get; } = new(MeterName, Version);

    // Each name becomes the operator's once a Prometheus exporter has replaced the dots, appended the unit and "_total" to counters.
    internal static Counter<long> Executions { get; } =
        Meter.CreateCounter<long>("chaosexperiment.executions", "{execution}", "Experiments run to an end, by action, namespace and status.");

    internal static Histogram<double> Duration { get; } =
        Meter.CreateHistogram<double>("chaosexperiment.duration", "s", "How long experiments took, from plan to report, by action and namespace.");

    internal static UpDownCounter<long> ResourcesAffected { get; } =
        Meter.CreateUpDownCounter<long>("chaosexperiment.resources_affected", "{resource}", "The objects an experiment changed, by action, namespace and experiment.");

    internal static Counter<long> Errors { get; } =
        Meter.CreateCounter<long>("chaosexperiment.errors", "{error}", "Errors during experiments, by action, namespace and error_type (the phase).");

    internal static UpDownCounter<long> Active { get; } =
        Meter.CreateUpDownCounter<long>("chaosexperiment.active", "{experiment}", "Experiments running now, by action and namespace.");

    internal static Counter<long> SafetyDryRun { get; } =
        Meter.CreateCounter<long>("chaosexperiment.safety.dryrun", "{experiment}", "Dry runs: planned and guarded, nothing written.");

    internal static Counter<long> SafetyProductionBlocks { get; } =
        Meter.CreateCounter<long>("chaosexperiment.safety.production_blocks", "{experiment}", "Experiments refused because a namespace looks like production.");

    internal static Counter<long> SafetyPercentageViolations { get; } =
        Meter.CreateCounter<long>("chaosexperiment.safety.percentage_violations", "{experiment}", "Experiments refused because they picked more than Safety.MaxPercentage.");

    internal static Counter<long> SafetyExcludedResources { get; } =
        Meter.CreateCounter<long>("chaosexperiment.safety.excluded_resources", "{resource}", "Objects left out of an experiment by the exclusion label, by resource_type.");
}
