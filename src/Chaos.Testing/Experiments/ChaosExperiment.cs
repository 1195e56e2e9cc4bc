using System.Collections.Immutable;
using k8s;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>
/// A complete experiment: target, selection, fault, duration, steady state and safety. Immutable: every method
/// returns a new experiment, so one can be a template for several runs. Run it with <see cref="RunAsync"/>.
/// </summary>
public sealed record ChaosExperiment
{
    internal ChaosExperiment(FaultBinding binding) => Binding = binding;

    internal FaultBinding Binding { get; }

    internal TimeSpan Duration { get; init; }

    internal bool DurationSet { get; init; }

    internal ImmutableList<SteadyStateProbe> Probes { get; init; } = [];

    /// <summary>Gets the guards this experiment starts from (the library's defaults, or the ones registered with DI).</summary>
    internal SafetyOptions BaseSafety { get; init; } = new();

    /// <summary>Gets the experiment's own changes, applied on top of <see cref="BaseSafety"/> so DI defaults are never lost.</summary>
    internal ImmutableList<Action<SafetyOptions>> SafetyChanges { get; init; } = [];

    internal SafetyOptions Safety
    {
        get
        {
            var safety = BaseSafety.Clone();
            foreach (var change in SafetyChanges)
            {
                change(safety);
            }

            return safety;
        }
    }

    internal bool IsDryRun { get; init; }

    internal bool EmitEvents { get; init; } = true;

    internal ILogger? Logger { get; init; }

    internal TimeProvider Time { get; init; } = TimeProvider.System;

    internal TimeSpan ProgressInterval { get; init; } = ExperimentDefinition.DefaultProgressInterval;

    /// <summary>Gets a readable description, e.g. <c>kill one of pods in shop with labels app=cart</c>.</summary>
    public string Description => Binding.Description;

    /// <summary>Holds the fault for <paramref name="duration"/> before recovering it (probes checked during it sample meanwhile).</summary>
    /// <param name="duration">More than zero.</param>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment For(TimeSpan duration) => this with { Duration = duration, DurationSet = true };

    /// <summary>Adds steady-state probes.</summary>
    /// <param name="probes">Probes from <see cref="SteadyState"/>.</param>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment Verify(params SteadyStateProbe[] probes) => this with { Probes = probes is null ? Probes.Add(null!) : Probes.AddRange(probes) };

    /// <summary>Changes the safety guards for this experiment, on top of the defaults (including those registered with DI).</summary>
    /// <param name="configure">Changes to the <see cref="SafetyOptions"/>.</param>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment WithSafety(Action<SafetyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return this with { SafetyChanges = SafetyChanges.Add(configure) };
    }

    /// <summary>Allows production-looking namespaces (protected namespaces and exclusion labels still apply).</summary>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment AllowProduction() => WithSafety(s => s.AllowProduction = true);

    /// <summary>Plans and guards the experiment and reports what it would affect, without a single write.</summary>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment DryRun() => this with { IsDryRun = true };

    /// <summary>Writes no Kubernetes Events on the affected objects (on by default).</summary>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment WithoutEvents() => this with { EmitEvents = false };

    /// <summary>Logs the experiment's steps to <paramref name="logger"/>.</summary>
    /// <param name="logger">A logger.</param>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment WithLogger(ILogger logger) => this with { Logger = logger ?? throw new ArgumentNullException(nameof(logger)) };

    /// <summary>Uses <paramref name="timeProvider"/> for every delay, deadline and timestamp.</summary>
    /// <param name="timeProvider">A clock.</param>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment WithTimeProvider(TimeProvider timeProvider) => this with { Time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider)) };

    /// <summary>
    /// Logs a progress line every <paramref name="interval"/> while the fault holds: the time elapsed and remaining and each
    /// probe's state (probes' transitions are logged as they happen whatever the interval).
    /// </summary>
    /// <param name="interval">More than zero and at most 24 hours, or <see cref="Timeout.InfiniteTimeSpan"/> for no progress line. The default is 5 seconds.</param>
    /// <returns>A new experiment.</returns>
    public ChaosExperiment WithProgressInterval(TimeSpan interval) => this with { ProgressInterval = interval };

    /// <summary>Every problem of the experiment, each naming the field, the value, the allowed range and the fix. Empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Binding.Validate(errors);
        if (DurationSet && (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(24)))
        {
            errors.Add($"Duration: For() needs more than 0 and at most 24 hours, was {Duration}.");
        }

        if (ProgressInterval != Timeout.InfiniteTimeSpan && (ProgressInterval <= TimeSpan.Zero || ProgressInterval > TimeSpan.FromHours(24)))
        {
            errors.Add($"ProgressInterval: WithProgressInterval() needs more than 0 and at most 24 hours, or Timeout.InfiniteTimeSpan for none, was {ProgressInterval}.");
        }

        Safety.Validate(errors);
        foreach (var probe in Probes)
        {
            if (probe is null)
            {
                errors.Add("Probes: Verify() was given a null probe.");
                continue;
            }

            probe.Validate(errors);
        }

        return errors;
    }

    /// <summary>
    /// Runs the experiment: plan, guard, check before, inject, hold, recover (always), check after, report.
    /// Invalid input and safety refusals throw before any write. Cancellation still recovers and returns an
    /// Aborted result.
    /// </summary>
    /// <param name="client">The cluster (the emulator's client works too).</param>
    /// <param name="cancellationToken">Cancels the experiment; recovery still runs.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ChaosConfigurationException">The experiment is invalid (every problem is listed).</exception>
    /// <exception cref="ChaosRefusedException">A safety guard, an empty selection or a 403 refused it; nothing was written.</exception>
    public Task<ChaosResult> RunAsync(IKubernetes client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return RunCoreAsync(client, cancellationToken);
    }

    /// <summary>The runner's view of this experiment, safety changes applied.</summary>
    internal ExperimentDefinition ToDefinition() => new(Binding, Duration, Probes, Safety, IsDryRun, EmitEvents, Logger, Time) { ProgressInterval = ProgressInterval };

    private async Task<ChaosResult> RunCoreAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ChaosConfigurationException(errors);
        }

        try
        {
            return await new ExperimentRunner(ToDefinition(), client).RunAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // Whatever called the API directly (watches, probes) may have left a request with its token in the chain.
            Credentials.Scrub(ex);
            throw;
        }
    }
}
