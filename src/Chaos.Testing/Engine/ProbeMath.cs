namespace Chaos.Testing;

/// <summary>What a probe's samples say about a run: time to recovery and the broken share of the hold.</summary>
internal static class ProbeMath
{
    /// <summary>From injection to the first time the steady state held again after breaking; zero if it never broke; null if it never came back.</summary>
    public static TimeSpan? TimeToRecovery(IReadOnlyList<ProbeSample> samples, DateTimeOffset? injectedAt)
    {
        if (injectedAt is not { } from)
        {
            return null;
        }

        var after = samples.SkipWhile(s => s.At < from).ToList();
        var brokenAtInjection = samples.LastOrDefault(s => s.At < from) is { Held: false };
        var firstBreak = brokenAtInjection ? 0 : after.FindIndex(s => !s.Held);
        if (firstBreak < 0)
        {
            return TimeSpan.Zero;
        }

        var back = after.Skip(firstBreak).FirstOrDefault(s => s.Held);
        return back is null ? null : back.At - from;
    }

    /// <summary>The share of [from, to] during which the samples say the steady state was broken.</summary>
    public static double BrokenShare(IReadOnlyList<ProbeSample> samples, DateTimeOffset from, DateTimeOffset to)
    {
        var total = (to - from).TotalMilliseconds;
        if (total <= 0)
        {
            return samples.LastOrDefault(s => s.At <= to) is { Held: false } ? 1 : 0;
        }

        double broken = 0;
        var state = samples.LastOrDefault(s => s.At <= from)?.Held ?? true;
        var cursor = from;
        foreach (var sample in samples.Where(s => s.At > from && s.At <= to))
        {
            if (!state)
            {
                broken += (sample.At - cursor).TotalMilliseconds;
            }

            state = sample.Held;
            cursor = sample.At;
        }

        if (!state)
        {
            broken += (to - cursor).TotalMilliseconds;
        }

        return broken / total;
    }
}
