using System.Collections.Immutable;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The first stage of a node experiment: which nodes and how many of the matches to pick. Choose a fault next
/// (<c>.Drain()</c>, <c>.Cordon()</c>, <c>.Taint(...)</c>, <c>.Inject(...)</c>). Immutable.
/// </summary>
public sealed record NodeChaos : ITargetScope<V1Node>
{
    internal NodeChaos(NodeTarget target) => Target = target;

    internal NodeTarget Target { get; }

    internal Selection Selection { get; init; } = Selection.One;

    internal ImmutableList<Action<SafetyOptions>> SafetyChanges { get; init; } = [];

    string ITargetScope<V1Node>.Kind => "Node";

    Selection ITargetScope<V1Node>.Selection => Selection;

    string ITargetScope<V1Node>.TargetDescription => Target.ToString();

    IReadOnlyList<string> ITargetScope<V1Node>.Namespaces => [];

    /// <summary>Picks one of the eligible nodes (the default).</summary>
    /// <returns>A new stage.</returns>
    public NodeChaos One() => this with { Selection = Selection.ToOne() };

    /// <summary>Picks every eligible node (subject to <see cref="SafetyOptions.MaxPercentage"/> and <see cref="SafetyOptions.MinHealthyRemaining"/>).</summary>
    /// <returns>A new stage.</returns>
    public NodeChaos All() => this with { Selection = Selection.ToAll() };

    /// <summary>Picks <paramref name="count"/> eligible nodes at random (seeded), or all of them when fewer match.</summary>
    /// <param name="count">At least 1.</param>
    /// <returns>A new stage.</returns>
    public NodeChaos Count(int count) => this with { Selection = Selection.ToCount(count) };

    /// <summary>Picks <paramref name="percent"/> percent of the eligible nodes, rounded down but at least one.</summary>
    /// <param name="percent">Between 1 and 100.</param>
    /// <returns>A new stage.</returns>
    public NodeChaos Percent(int percent) => this with { Selection = Selection.ToPercent(percent) };

    /// <summary>Fixes the seed of the random pick so a run can be replayed.</summary>
    /// <param name="seed">Any integer.</param>
    /// <returns>A new stage.</returns>
    public NodeChaos WithSeed(int seed) => this with { Selection = Selection with { Seed = seed } };

    void ITargetScope<V1Node>.Validate(ICollection<string> errors)
    {
        Target.Validate(errors);
        Selection.Validate(errors);
    }

    Task<IReadOnlyList<V1Node>> ITargetScope<V1Node>.PlanAsync(FaultContext context, SafetyOptions safety, string verb, int seed, CancellationToken cancellationToken) =>
        NodePlanner.PlanAsync(Target, Selection, context, safety, verb, seed, cancellationToken);

    /// <summary>
    /// Changes the safety guards of the experiment this stage becomes, the same as
    /// <see cref="ChaosExperiment.WithSafety(Action{SafetyOptions})"/> after the fault: either place works.
    /// </summary>
    /// <param name="configure">Changes to the <see cref="SafetyOptions"/>.</param>
    /// <returns>A new stage.</returns>
    public NodeChaos WithSafety(Action<SafetyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return this with { SafetyChanges = SafetyChanges.Add(configure) };
    }

    /// <summary>The experiment that applies <paramref name="fault"/> to this selection, with the safety changes made on this stage.</summary>
    internal ChaosExperiment With(IFault<V1Node> fault) => new(new FaultBinding<V1Node>(this, fault)) { SafetyChanges = SafetyChanges };
}
