using System.Globalization;

namespace Chaos.Testing;

/// <summary>The failure texts, shared by <c>EnsureSteadyState</c> and the assertion packages (which compile this file in too).</summary>
internal static class ChaosResultMessages
{
    public static string Subject(ChaosResult result) =>
        $"experiment {result.ExperimentId} ({result.Description}, seed {result.Seed})";

    /// <summary>What broke and when, or null when the steady state held.</summary>
    public static string? SteadyStateProblem(ChaosResult result)
    {
        if (result.Verdict == ExperimentVerdict.Passed)
        {
            return null;
        }

        var when = result.Probes.SelectMany(p => p.Samples).Where(s => !s.Held).Select(s => s.At).DefaultIfEmpty(result.FinishedAt).Max();
        return $"it was {result.Verdict}: {result.FailureReason} (last broken sample at {when.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)})";
    }

    public static string SteadyState(ChaosResult result, string reason) =>
        $"Expected {Subject(result)} to have held its steady state{reason}, but {SteadyStateProblem(result)}.";
}
