
using System.Collections.Immutable;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The first stage of a pod experiment: what to target and how many of the matches to pick. Choose a fault
/// next (<c>.Kill()</c>, <c>.Restart()</c>). Immutable.
/// </summary>
public sealed record PodChaos : ITargetScope<V1Pod>
{
    internal PodChaos(PodTarget target) => Target = target;

    string ITargetScope<V1Pod>.Kind => "Pod";

    Selection ITargetScope<V1Pod>.Selection => Selection;

    string ITargetScope<V1Pod>.TargetDescription => Target.ToString();

    IReadOnlyList<string> ITargetScope<V1Pod>.Namespaces => Target.Namespaces;

    internal PodTarget Target { get; }

    internal Selection Selection { get; init; } = Selection.One;

    internal ImmutableList<Action<SafetyOptions>> SafetyChanges { get; init; } = [];

    /// <summary>Picks one of the eligible pods (the default).</summary>
    /// <returns>A new stage.</returns>
    public PodChaos One() => this with { Selection = Selection.ToOne() };

    /// <summary>Picks every eligible pod (subject to <see cref="SafetyOptions.MaxPercentage"/>).</summary>
    /// <returns>A new stage.</returns>
    public PodChaos All() => this with { Selection = Selection.ToAll() };

    /// <summary>Picks <paramref name="count"/> eligible pods at random (seeded), or all of them when fewer match.</summary>
    /// <param name="count">At least 1.</param>
    /// <returns>A new stage.</returns>
    public PodChaos Count(int count) => this with { Selection = Selection.ToCount(count) };

    /// <summary>Picks <paramref name="percent"/> percent of the eligible pods, rounded down but at least one.</summary>
    /// <param name="percent">Between 1 and 100.</param>
    /// <returns>A new stage.</returns>
    public PodChaos Percent(int percent) => this with { Selection = Selection.ToPercent(percent) };

    /// <summary>Fixes the seed of the random pick so a run can be replayed (the seed of every run is in its result).</summary>
    /// <param name="seed">Any integer.</param>
    /// <returns>A new stage.</returns>
    public PodChaos WithSeed(int seed) => this with { Selection = Selection with { Seed = seed } };

    void ITargetScope<V1Pod>.Validate(ICollection<string> errors)
    {
        Target.Validate(errors);
        Selection.Validate(errors);
    }

    Task<IReadOnlyList<V1Pod>> ITargetScope<V1Pod>.PlanAsync(FaultContext context, SafetyOptions safety, string verb, int seed, CancellationToken cancellationToken) =>
        Planner.PlanAsync(Target, Selection, context, safety, verb, seed, cancellationToken);

    /// <summary>
    /// Changes the safety guards of the experiment this stage becomes, the same as
    /// <see cref="ChaosExperiment.WithSafety(Action{SafetyOptions})"/> after the fault: either place works.
    /// </summary>
    /// <param name="configure">Changes to the <see cref="SafetyOptions"/>.</param>
    /// <returns>A new stage.</returns>
    public PodChaos WithSafety(Action<SafetyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return this with { SafetyChanges = SafetyChanges.Add(configure) };
    }

    /// <summary>The experiment that applies <paramref name="fault"/> to this selection, with the safety changes made on this stage.</summary>
    internal ChaosExperiment With(IFault<V1Pod> fault) => new(new FaultBinding<V1Pod>(this, fault)) { SafetyChanges = SafetyChanges };
}
