// One source, two packages: Chaos.Testing.FluentAssertions (FluentAssertions 7) and Chaos.Testing.AwesomeAssertions
// (AwesomeAssertions 9, which defines AWESOME_ASSERTIONS). Only the namespaces and the assertion chain differ.
#if AWESOME_ASSERTIONS
using AwesomeAssertions;
using AwesomeAssertions.Execution;
using AwesomeAssertions.Primitives;
#else
using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;
#endif

namespace Chaos.Testing;

/// <summary>Assertions on a <see cref="ChaosResult"/>; messages name the probe, the deadline, what was observed and the seed.</summary>
public sealed class ChaosResultAssertions : ReferenceTypeAssertions<ChaosResult, ChaosResultAssertions>
{
#if AWESOME_ASSERTIONS
    /// <summary>Initializes a new instance of the <see cref="ChaosResultAssertions"/> class.</summary>
    /// <param name="subject">The result.</param>
    /// <param name="assertionChain">The assertion chain the failures go to.</param>
    public ChaosResultAssertions(ChaosResult subject, AssertionChain assertionChain)
        : base(subject, assertionChain)
    {
    }
#else
    /// <summary>Initializes a new instance of the <see cref="ChaosResultAssertions"/> class.</summary>
    /// <param name="subject">The result.</param>
    public ChaosResultAssertions(ChaosResult subject)
        : base(subject)
    {
    }
#endif

    /// <inheritdoc />
    protected override string Identifier => "chaos result";

    /// <summary>Asserts the experiment passed: injected, recovered, every probe held.</summary>
    /// <param name="because">Why, formatted with <paramref name="becauseArgs"/>.</param>
    /// <param name="becauseArgs">Arguments for <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<ChaosResultAssertions> HaveHeldSteadyState(string because = "", params object[] becauseArgs)
    {
        var subject = Subject;
        Chain
            .BecauseOf(because, becauseArgs)
            .ForCondition(subject is not null)
            .FailWith("Expected a chaos result to have held its steady state{reason}, but it was <null>.")
            .Then
            .ForCondition(subject is null || subject.Verdict == ExperimentVerdict.Passed)
            .FailWith(subject is null
                ? string.Empty
                : Escape($"Expected {ChaosResultMessages.Subject(subject)} to have held its steady state") + "{reason}" + Escape($", but {ChaosResultMessages.SteadyStateProblem(subject)}."));
        return new AndConstraint<ChaosResultAssertions>(this);
    }

    /// <summary>Asserts every probe's steady state came back within <paramref name="limit"/> of injection.</summary>
    /// <param name="limit">The longest acceptable time-to-recovery.</param>
    /// <param name="because">Why, formatted with <paramref name="becauseArgs"/>.</param>
    /// <param name="becauseArgs">Arguments for <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<ChaosResultAssertions> HaveRecoveredWithin(TimeSpan limit, string because = "", params object[] becauseArgs)
    {
        var subject = Subject;
        var slowest = subject?.Probes.OrderByDescending(p => p.TimeToRecovery ?? TimeSpan.MaxValue).FirstOrDefault();
        var problem = subject is null ? "it was <null>"
            : slowest is null ? "it had no steady-state probe to measure recovery with"
            : slowest.TimeToRecovery is null ? $"probe \"{slowest.Name}\" never recovered: {slowest.Failure ?? (slowest.Samples.Count > 0 ? slowest.Samples[^1].Observed : "no sample")}"
            : slowest.TimeToRecovery > limit ? $"probe \"{slowest.Name}\" took {slowest.TimeToRecovery.Value.TotalMilliseconds:F0} ms"
            : null;
        Chain
            .BecauseOf(because, becauseArgs)
            .ForCondition(problem is null)
            .FailWith(Escape($"Expected {(subject is null ? "a chaos result" : ChaosResultMessages.Subject(subject))} to have recovered within {limit.TotalMilliseconds:F0} ms") + "{reason}" + Escape($", but {problem}."));
        return new AndConstraint<ChaosResultAssertions>(this);
    }

    /// <summary>Asserts the experiment affected exactly <paramref name="count"/> distinct objects.</summary>
    /// <param name="count">The expected number of objects.</param>
    /// <param name="because">Why, formatted with <paramref name="becauseArgs"/>.</param>
    /// <param name="becauseArgs">Arguments for <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<ChaosResultAssertions> HaveAffected(int count, string because = "", params object[] becauseArgs)
    {
        var distinct = Subject?.Affected.Where(a => !a.Action.StartsWith("replacement", StringComparison.Ordinal))
            .Select(a => $"{a.Namespace}/{a.Name}").Distinct(StringComparer.Ordinal).ToList() ?? [];
        Chain
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && distinct.Count == count)
            .FailWith(Escape($"Expected {(Subject is null ? "a chaos result" : ChaosResultMessages.Subject(Subject))} to have affected {count} object(s)") + "{reason}"
                + Escape($", but it affected {distinct.Count}: {(distinct.Count == 0 ? "none" : string.Join(", ", distinct))}."));
        return new AndConstraint<ChaosResultAssertions>(this);
    }

    /// <summary>Asserts the experiment affected the object <paramref name="namespace"/>/<paramref name="name"/>.</summary>
    /// <param name="namespace">The namespace.</param>
    /// <param name="name">The object name.</param>
    /// <param name="because">Why, formatted with <paramref name="becauseArgs"/>.</param>
    /// <param name="becauseArgs">Arguments for <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<ChaosResultAssertions> HaveAffected(string @namespace, string name, string because = "", params object[] becauseArgs)
    {
        var affected = Subject?.Affected ?? [];
        Chain
            .BecauseOf(because, becauseArgs)
            .ForCondition(affected.Any(a => a.Namespace == @namespace && a.Name == name))
            .FailWith(Escape($"Expected {(Subject is null ? "a chaos result" : ChaosResultMessages.Subject(Subject))} to have affected {@namespace}/{name}") + "{reason}"
                + Escape($", but it affected {(affected.Count == 0 ? "nothing" : string.Join(", ", affected.Select(a => $"{a.Namespace}/{a.Name}").Distinct()))}."));
        return new AndConstraint<ChaosResultAssertions>(this);
    }

#if AWESOME_ASSERTIONS
    private AssertionChain Chain => CurrentAssertionChain;
#else
    private static AssertionScope Chain => Execute.Assertion;
#endif

    private static string Escape(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
}
