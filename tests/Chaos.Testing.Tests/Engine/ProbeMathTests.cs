namespace Chaos.Testing.Tests.Engine;

/// <summary>Time-to-recovery and the broken share of the hold, computed from hand-made probe samples.</summary>
public sealed class ProbeMathTests
{
    private static readonly DateTimeOffset Injected = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TimeToRecovery_NotInjected_IsNull() =>
        ProbeMath.TimeToRecovery([Held(-1), Broken(1), Held(2)], injectedAt: null).Should().BeNull();

    [Fact]
    public void TimeToRecovery_NoSample_IsZero() =>
        ProbeMath.TimeToRecovery([], Injected).Should().Be(TimeSpan.Zero);

    [Fact]
    public void TimeToRecovery_NeverBroken_IsZero() =>
        ProbeMath.TimeToRecovery([Held(-2), Held(3, "3 of 3 pods ready (4 live)")], Injected).Should().Be(TimeSpan.Zero);

    [Fact]
    public void TimeToRecovery_BrokenThenHeld_IsFromInjectionToTheFirstHeldSample()
    {
        var samples = new[] { Held(-1), Broken(0.5), Broken(1.2, "2 of 3 pods ready (3 live)"), Held(3.25), Broken(4), Held(6) };

        ProbeMath.TimeToRecovery(samples, Injected).Should().Be(TimeSpan.FromSeconds(3.25));
    }

    [Fact]
    public void TimeToRecovery_BrokenAtTheInjectionInstant_CountsFromInjection() =>
        ProbeMath.TimeToRecovery([Held(-1), Broken(0), Held(2)], Injected).Should().Be(TimeSpan.FromSeconds(2));

    [Fact]
    public void TimeToRecovery_BrokenAndNeverBack_IsNull() =>
        ProbeMath.TimeToRecovery([Held(-1), Broken(1), Broken(2, "1 of 3 pods ready (1 live)")], Injected).Should().BeNull();

    [Fact]
    public void TimeToRecovery_BrokenBeforeInjectionAndNoSampleSince_IsNull() =>
        ProbeMath.TimeToRecovery([Held(-3), Broken(-1)], Injected).Should().BeNull();

    [Fact]
    public void TimeToRecovery_BreaksBeforeInjectionAreIgnoredOnceItHeldAgain() =>
        ProbeMath.TimeToRecovery([Broken(-3), Held(-2)], Injected).Should().Be(TimeSpan.Zero);

    [Fact]
    public void TimeToRecovery_BrokenAtInjectionThenHeld_IsFromInjectionToTheHeldSample() =>
        ProbeMath.TimeToRecovery([Held(-3), Broken(-1), Held(2)], Injected).Should().Be(TimeSpan.FromSeconds(2));

    [Fact]
    public void BrokenShare_NoSample_IsZero() =>
        ProbeMath.BrokenShare([], Injected, At(10)).Should().Be(0);

    [Fact]
    public void BrokenShare_AlwaysHeld_IsZero() =>
        ProbeMath.BrokenShare([Held(-1), Held(5, "changed observation")], Injected, At(10)).Should().Be(0);

    [Fact]
    public void BrokenShare_BrokenForTheMiddleHalf_IsOneHalf() =>
        ProbeMath.BrokenShare([Held(-1), Broken(2.5), Held(7.5)], Injected, At(10)).Should().BeApproximately(0.5, 1e-9);

    [Fact]
    public void BrokenShare_BrokenBeforeTheHoldUntilItsMiddle_CountsFromTheStart() =>
        ProbeMath.BrokenShare([Broken(-2), Held(5)], Injected, At(10)).Should().BeApproximately(0.5, 1e-9);

    [Fact]
    public void BrokenShare_BrokenUntilTheEnd_CountsToTheEnd() =>
        ProbeMath.BrokenShare([Held(-1), Broken(8)], Injected, At(10)).Should().BeApproximately(0.2, 1e-9);

    [Fact]
    public void BrokenShare_BrokenTheWholeHold_IsOne() =>
        ProbeMath.BrokenShare([Broken(-1)], Injected, At(10)).Should().Be(1);

    [Fact]
    public void BrokenShare_SeveralBreaks_AddsThemUp() =>
        ProbeMath.BrokenShare([Held(-1), Broken(1), Held(2), Broken(4), Broken(5, "worse"), Held(7)], Injected, At(10))
            .Should().BeApproximately(0.4, 1e-9);

    [Fact]
    public void BrokenShare_SamplesAfterTheHold_AreIgnored() =>
        ProbeMath.BrokenShare([Held(-1), Broken(9), Broken(12), Held(20)], Injected, At(10)).Should().BeApproximately(0.1, 1e-9);

    [Fact]
    public void BrokenShare_SampleExactlyAtTheStart_IsTheStateOfTheHold() =>
        ProbeMath.BrokenShare([Held(-1), Broken(0), Held(5)], Injected, At(10)).Should().BeApproximately(0.5, 1e-9);

    [Fact]
    public void BrokenShare_SampleExactlyAtTheEnd_AddsNothing() =>
        ProbeMath.BrokenShare([Held(-1), Broken(10)], Injected, At(10)).Should().Be(0);

    [Fact]
    public void BrokenShare_EmptyHoldWhileBroken_IsOne() =>
        ProbeMath.BrokenShare([Held(-2), Broken(-1)], Injected, Injected).Should().Be(1);

    [Fact]
    public void BrokenShare_EmptyHoldWhileHeld_IsZero() =>
        ProbeMath.BrokenShare([Broken(-2), Held(-1), Broken(1)], Injected, Injected).Should().Be(0);

    [Fact]
    public void BrokenShare_EndBeforeStart_IsJudgedAtTheEnd() =>
        ProbeMath.BrokenShare([Broken(-1), Held(3)], Injected, At(-0.5)).Should().Be(1);

    private static DateTimeOffset At(double seconds) => Injected + TimeSpan.FromSeconds(seconds);

    private static ProbeSample Held(double seconds, string observed = "3 of 3 pods ready (3 live)") => new(At(seconds), true, observed);

    private static ProbeSample Broken(double seconds, string observed = "2 of 3 pods ready (2 live)") => new(At(seconds), false, observed);
}
