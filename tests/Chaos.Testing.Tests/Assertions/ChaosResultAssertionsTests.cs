#if AWESOME_ASSERTIONS
using AwesomeAssertions.Execution;
#else
using FluentAssertions.Execution;
#endif

namespace Chaos.Testing.Tests.Assertions;

/// <summary>
/// The exact failure messages of the assertion packages and of <see cref="ChaosResultExtensions.EnsureSteadyState"/>. The same
/// file runs in Chaos.Testing.AwesomeAssertions.Tests against AwesomeAssertions 9 (AWESOME_ASSERTIONS).
/// </summary>
public sealed class ChaosResultAssertionsTests
{
    private const string ProbeName = "deployment shop/cart available";
    private const string Subject = "experiment 0123456789ab (kill one of pods in shop with labels app=cart, seed 424242)";
    private const string Deadline = "did not recover within 5s after the fault ended (deadline 12:00:08.250): last observed 2 of 3 pods ready (3 live)";

    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void HaveHeldSteadyState_FailedResultWithReason_NamesProbeDeadlineObservationAndSeed()
    {
        var message = FailureOf(() => Failed().Should().HaveHeldSteadyState("because {0}", "x"));

        message.Should().Be(
            $"Expected {Subject} to have held its steady state because x, but it was Failed: probe \"{ProbeName}\" {Deadline} (last broken sample at 12:00:06.500).");
        message.Should().Contain(ProbeName).And.Contain("deadline 12:00:08.250").And.Contain("2 of 3 pods ready").And.Contain("seed 424242");
    }

    [Fact]
    public void HaveHeldSteadyState_FailedResultWithoutReason_HasNoReason() =>
        FailureOf(() => Failed().Should().HaveHeldSteadyState()).Should().Be(
            $"Expected {Subject} to have held its steady state, but it was Failed: probe \"{ProbeName}\" {Deadline} (last broken sample at 12:00:06.500).");

    [Fact]
    public void HaveHeldSteadyState_AbortedWithoutSamples_UsesTheFinishTime()
    {
        var aborted = Passed() with
        {
            Verdict = ExperimentVerdict.Aborted,
            FailureReason = "cancelled during hold",
            Probes = [],
            FinishedAt = Start.AddSeconds(3.5),
        };

        FailureOf(() => aborted.Should().HaveHeldSteadyState("because {0} must survive", "the cart")).Should().Be(
            $"Expected {Subject} to have held its steady state because the cart must survive, but it was Aborted: cancelled during hold (last broken sample at 12:00:03.500).");
    }

    [Fact]
    public void HaveHeldSteadyState_TextWithBraces_IsKeptVerbatim()
    {
        var braces = Failed() with { Description = "kill one of pods in {shop}", FailureReason = "probe \"{0}\" broke" };

        FailureOf(() => braces.Should().HaveHeldSteadyState()).Should().Be(
            "Expected experiment 0123456789ab (kill one of pods in {shop}, seed 424242) to have held its steady state, but it was Failed: probe \"{0}\" broke (last broken sample at 12:00:06.500).");
    }

    [Fact]
    public void HaveHeldSteadyState_PassedResult_Passes() =>
        Passed().Should().HaveHeldSteadyState("because {0}", "x").And.HaveAffected(1).And.HaveAffected("shop", "cart-7d9f-1");

    [Fact]
    public void HaveHeldSteadyState_NullResult_SaysItWasNull()
    {
        ChaosResult? result = null;

        FailureOf(() => result!.Should().HaveHeldSteadyState("because {0}", "x")).Should().Be(
            "Expected a chaos result to have held its steady state because x, but it was <null>.");
    }

    [Fact]
    public void HaveHeldSteadyState_NullResultInAssertionScope_ReportsItAndTheFollowingFailures()
    {
        ChaosResult? result = null;

        var message = FailureOf(() =>
        {
            using var scope = new AssertionScope();
            result!.Should().HaveHeldSteadyState();
            Failed().Should().HaveAffected(2);
        });

        message.Should().Contain("Expected a chaos result to have held its steady state, but it was <null>.")
            .And.Contain($"Expected {Subject} to have affected 2 object(s), but it affected 1: shop/cart-7d9f-1.");
    }

    [Fact]
    public void HaveHeldSteadyState_InAssertionScope_CollectsTheFailureWithTheOthers()
    {
        var result = Failed();

        var message = FailureOf(() =>
        {
            using var scope = new AssertionScope();
            result.Should().HaveHeldSteadyState();
            result.Should().HaveAffected(2);
        });

        message.Should().Contain($"Expected {Subject} to have held its steady state, but it was Failed: probe \"{ProbeName}\"")
            .And.Contain($"Expected {Subject} to have affected 2 object(s), but it affected 1: shop/cart-7d9f-1.");
    }

    [Fact]
    public void EnsureSteadyState_FailedResult_ThrowsWithTheSameTextAsHaveHeldSteadyState()
    {
        var result = Failed();
        var expected = FailureOf(() => result.Should().HaveHeldSteadyState());

        var act = () => result.EnsureSteadyState();

        var thrown = act.Should().ThrowExactly<ChaosExperimentFailedException>().Which;
        thrown.Message.Should().Be(expected);
        thrown.Message.Should().Be(
            $"Expected {Subject} to have held its steady state, but it was Failed: probe \"{ProbeName}\" {Deadline} (last broken sample at 12:00:06.500).");
        thrown.Result.Should().BeSameAs(result);
    }

    [Fact]
    public void EnsureSteadyState_AbortedResult_Throws()
    {
        var aborted = Failed() with
        {
            Verdict = ExperimentVerdict.Aborted,
            FailureReason = $"the steady state did not hold before injection: probe \"{ProbeName}\" observed 2 of 3 pods ready (3 live); nothing was injected",
        };

        var act = () => aborted.EnsureSteadyState();

        act.Should().ThrowExactly<ChaosExperimentFailedException>().WithMessage(
            $"Expected {Subject} to have held its steady state, but it was Aborted: the steady state did not hold before injection: probe \"{ProbeName}\" observed 2 of 3 pods ready (3 live); nothing was injected (last broken sample at 12:00:06.500).");
    }

    [Fact]
    public void EnsureSteadyState_PassedResult_ReturnsTheSameResult()
    {
        var result = Passed();

        result.EnsureSteadyState().Should().BeSameAs(result);
    }

    [Fact]
    public void EnsureSteadyState_NullResult_ThrowsArgumentNull()
    {
        ChaosResult? result = null;

        var act = () => result!.EnsureSteadyState();

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void HaveRecoveredWithin_ProbeThatNeverRecovered_NamesItsFailure() =>
        FailureOf(() => Failed().Should().HaveRecoveredWithin(TimeSpan.FromSeconds(10), "because {0}", "x")).Should().Be(
            $"Expected {Subject} to have recovered within 10000 ms because x, but probe \"{ProbeName}\" never recovered: {Deadline}.");

    [Fact]
    public void HaveRecoveredWithin_ProbeThatNeverRecoveredWithoutFailure_NamesItsLastObservation()
    {
        var result = Failed() with { Probes = [Failed().Probes[0] with { Failure = null }] };

        FailureOf(() => result.Should().HaveRecoveredWithin(TimeSpan.FromSeconds(1))).Should().Be(
            $"Expected {Subject} to have recovered within 1000 ms, but probe \"{ProbeName}\" never recovered: 2 of 3 pods ready (3 live).");
    }

    [Fact]
    public void HaveRecoveredWithin_SlowProbe_NamesTheSlowestProbeAndItsTime()
    {
        var result = Passed() with
        {
            Probes =
            [
                Probe("at least 1 ready of pods in shop with labels app=cart", TimeSpan.FromMilliseconds(900)),
                Probe(ProbeName, TimeSpan.FromMilliseconds(2750)),
                Probe("HTTP GET http://cart.shop/health", TimeSpan.Zero),
            ],
        };

        FailureOf(() => result.Should().HaveRecoveredWithin(TimeSpan.FromSeconds(2), "because {0}", "x")).Should().Be(
            $"Expected {Subject} to have recovered within 2000 ms because x, but probe \"{ProbeName}\" took 2750 ms.");
    }

    [Fact]
    public void HaveRecoveredWithin_NoProbe_SaysThereIsNothingToMeasure() =>
        FailureOf(() => (Passed() with { Probes = [] }).Should().HaveRecoveredWithin(TimeSpan.FromSeconds(5))).Should().Be(
            $"Expected {Subject} to have recovered within 5000 ms, but it had no steady-state probe to measure recovery with.");

    [Fact]
    public void HaveRecoveredWithin_NullResult_SaysItWasNull()
    {
        ChaosResult? result = null;

        FailureOf(() => result!.Should().HaveRecoveredWithin(TimeSpan.FromSeconds(5))).Should().Be(
            "Expected a chaos result to have recovered within 5000 ms, but it was <null>.");
    }

    [Fact]
    public void HaveRecoveredWithin_FastEnough_Passes()
    {
        Passed().Should().HaveRecoveredWithin(TimeSpan.FromSeconds(2));
        Passed().Should().HaveRecoveredWithin(TimeSpan.FromMilliseconds(1500), "the limit is inclusive");
    }

    [Fact]
    public void HaveAffectedCount_WrongCount_ListsWhatWasAffected() =>
        FailureOf(() => Failed().Should().HaveAffected(2, "because {0}", "x")).Should().Be(
            $"Expected {Subject} to have affected 2 object(s) because x, but it affected 1: shop/cart-7d9f-1.");

    [Fact]
    public void HaveAffectedCount_NothingAffected_SaysNone() =>
        FailureOf(() => (Passed() with { Affected = [] }).Should().HaveAffected(1)).Should().Be(
            $"Expected {Subject} to have affected 1 object(s), but it affected 0: none.");

    [Fact]
    public void HaveAffectedCount_RestartWithReplacements_CountsOnlyTheRestartedPods()
    {
        var restart = Passed() with
        {
            Affected =
            [
                new AffectedTarget("Pod", "shop", "cart-7d9f-1", "restarted (graceful delete)", Start.AddSeconds(1)),
                new AffectedTarget("Pod", "shop", "cart-7d9f-2", "restarted (graceful delete)", Start.AddSeconds(1)),
                new AffectedTarget("Pod", "shop", "cart-7d9f-9", "replacement of cart-7d9f-1 Ready", Start.AddSeconds(2)),
                new AffectedTarget("Pod", "shop", "cart-7d9f-8", "replacement of cart-7d9f-2 Ready", Start.AddSeconds(2)),
            ],
        };

        restart.Should().HaveAffected(2);
        FailureOf(() => restart.Should().HaveAffected(4)).Should().Be(
            $"Expected {Subject} to have affected 4 object(s), but it affected 2: shop/cart-7d9f-1, shop/cart-7d9f-2.");
    }

    [Fact]
    public void HaveAffectedCount_SameObjectTwice_CountsItOnce()
    {
        var twice = Passed() with
        {
            Affected =
            [
                new AffectedTarget("Pod", "shop", "cart-7d9f-1", "killed (grace 0s)", Start.AddSeconds(1)),
                new AffectedTarget("Pod", "shop", "cart-7d9f-1", "already gone", Start.AddSeconds(1)),
            ],
        };

        twice.Should().HaveAffected(1);
    }

    [Fact]
    public void HaveAffectedCount_NullResult_SaysNone()
    {
        ChaosResult? result = null;

        FailureOf(() => result!.Should().HaveAffected(0)).Should().Be("Expected a chaos result to have affected 0 object(s), but it affected 0: none.");
    }

    [Fact]
    public void HaveAffectedObject_OtherObject_ListsWhatWasAffected() =>
        FailureOf(() => Failed().Should().HaveAffected("shop", "cart-7d9f-2", "because {0}", "x")).Should().Be(
            $"Expected {Subject} to have affected shop/cart-7d9f-2 because x, but it affected shop/cart-7d9f-1.");

    [Fact]
    public void HaveAffectedObject_SeveralActionsOnTwoObjects_ListsEachObjectOnce()
    {
        var result = Passed() with
        {
            Affected =
            [
                new AffectedTarget("Pod", "shop", "cart-7d9f-1", "restarted (graceful delete)", Start.AddSeconds(1)),
                new AffectedTarget("Pod", "shop", "cart-7d9f-9", "replacement of cart-7d9f-1 Ready", Start.AddSeconds(2)),
                new AffectedTarget("Pod", "shop", "cart-7d9f-1", "already gone", Start.AddSeconds(3)),
            ],
        };

        result.Should().HaveAffected("shop", "cart-7d9f-9");
        FailureOf(() => result.Should().HaveAffected("web", "cart-7d9f-1")).Should().Be(
            $"Expected {Subject} to have affected web/cart-7d9f-1, but it affected shop/cart-7d9f-1, shop/cart-7d9f-9.");
    }

    [Fact]
    public void HaveAffectedObject_NothingAffected_SaysNothing() =>
        FailureOf(() => (Passed() with { Affected = [] }).Should().HaveAffected("shop", "cart-7d9f-1")).Should().Be(
            $"Expected {Subject} to have affected shop/cart-7d9f-1, but it affected nothing.");

    [Fact]
    public void HaveAffectedObject_NullResult_SaysNothing()
    {
        ChaosResult? result = null;

        FailureOf(() => result!.Should().HaveAffected("shop", "cart")).Should().Be("Expected a chaos result to have affected shop/cart, but it affected nothing.");
    }

    [Fact]
    public void HaveAffected_PassedResult_Passes()
    {
        var result = Passed();

        result.Should().HaveAffected(1, "one pod was picked").And.HaveAffected("shop", "cart-7d9f-1");
    }

    private static string FailureOf(Action assertion)
    {
        var act = assertion;
        return act.Should().Throw<Exception>().Which.Message;
    }

    private static ProbeResult Probe(string name, TimeSpan? timeToRecovery) =>
        new(name, "before, recovers within 5s", true, null, timeToRecovery, [new ProbeSample(Start.AddSeconds(1), true, "ok")]);

    private static ChaosResult Passed() => new()
    {
        ExperimentId = "0123456789ab",
        Description = "kill one of pods in shop with labels app=cart",
        Verdict = ExperimentVerdict.Passed,
        Seed = 424242,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(4),
        Affected = [new AffectedTarget("Pod", "shop", "cart-7d9f-1", "killed (grace 0s)", Start.AddSeconds(1))],
        Probes =
        [
            new ProbeResult(ProbeName, "before, recovers within 5s", true, null, TimeSpan.FromMilliseconds(1500),
            [
                new ProbeSample(Start.AddSeconds(0.5), true, "3 of 3 pods ready (3 live)"),
                new ProbeSample(Start.AddSeconds(1.1), false, "2 of 3 pods ready (3 live)"),
                new ProbeSample(Start.AddSeconds(2.5), true, "3 of 3 pods ready (3 live)"),
            ]),
        ],
        TimeToRecovery = TimeSpan.FromMilliseconds(1500),
    };

    private static ChaosResult Failed() => new()
    {
        ExperimentId = "0123456789ab",
        Description = "kill one of pods in shop with labels app=cart",
        Verdict = ExperimentVerdict.Failed,
        Seed = 424242,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(9),
        Affected = [new AffectedTarget("Pod", "shop", "cart-7d9f-1", "killed (grace 0s)", Start.AddSeconds(1))],
        Probes =
        [
            new ProbeResult(ProbeName, "before, recovers within 5s", false, Deadline, null,
            [
                new ProbeSample(Start.AddSeconds(0.5), true, "3 of 3 pods ready (3 live)"),
                new ProbeSample(Start.AddSeconds(1.1), false, "1 of 3 pods ready (3 live)"),
                new ProbeSample(Start.AddSeconds(6.5), false, "2 of 3 pods ready (3 live)"),
            ]),
        ],
        TimeToRecovery = null,
        FailureReason = $"probe \"{ProbeName}\" {Deadline}",
    };
}
