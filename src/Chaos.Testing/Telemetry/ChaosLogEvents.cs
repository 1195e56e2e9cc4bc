using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>
/// The <see cref="EventId"/> of every kind of log entry an experiment writes: stable across versions, so a log query or
/// a filter can select one kind (e.g. <see cref="ProbeBroken"/>). The experiment's id is in the logging scope
/// (<c>ExperimentId</c>); each entry's own fields are named in its message template.
/// </summary>
public static class ChaosLogEvents
{
    /// <summary>Gets a step of a phase not listed below (<c>{Phase}: {Message}</c>).</summary>
    public static EventId Step { get; } = new(100, "ChaosStep");

    /// <summary>Gets a plan step: the experiment, its hold and seed; what matched, what was filtered out, what was picked.</summary>
    public static EventId Plan { get; } = new(101, "ChaosPlan");

    /// <summary>Gets a guard step: a safety guard passed.</summary>
    public static EventId Guard { get; } = new(102, "ChaosGuard");

    /// <summary>Gets the check-before step: the steady state held (or did not) before injection.</summary>
    public static EventId CheckBefore { get; } = new(103, "ChaosCheckBefore");

    /// <summary>Gets the inject step: what is being injected into how many targets.</summary>
    public static EventId Inject { get; } = new(104, "ChaosInject");

    /// <summary>Gets the hold step: how long the fault is held.</summary>
    public static EventId Hold { get; } = new(105, "ChaosHold");

    /// <summary>Gets the recover step: the fault was recovered.</summary>
    public static EventId Recover { get; } = new(106, "ChaosRecover");

    /// <summary>Gets the check-after step: each probe's verdict over the hold and after it.</summary>
    public static EventId CheckAfter { get; } = new(107, "ChaosCheckAfter");

    /// <summary>Gets the report step: the verdict and its reason.</summary>
    public static EventId Report { get; } = new(108, "ChaosReport");

    /// <summary>Gets an object changed (or, in a dry run, that would be): <c>{Kind} {Target}: {Action}</c>.</summary>
    public static EventId TargetAffected { get; } = new(110, "ChaosTargetAffected");

    /// <summary>Gets an error recorded in the result (a warning: the run goes on, or recovers).</summary>
    public static EventId Error { get; } = new(111, "ChaosError");

    /// <summary>Gets a probe that held and now does not: <c>{Probe}</c>, <c>{At}</c>, <c>{SinceInjectionSeconds}</c>, <c>{Observed}</c>.</summary>
    public static EventId ProbeBroken { get; } = new(120, "ChaosProbeBroken");

    /// <summary>Gets a probe that was broken and holds again: <c>{Probe}</c>, <c>{At}</c>, <c>{BrokenSeconds}</c>, <c>{Observed}</c>.</summary>
    public static EventId ProbeRecovered { get; } = new(121, "ChaosProbeRecovered");

    /// <summary>Gets the periodic line during the hold: <c>{ElapsedSeconds}</c>, <c>{RemainingSeconds}</c>, <c>{ProbeStates}</c>.</summary>
    public static EventId HoldProgress { get; } = new(122, "ChaosHoldProgress");

    /// <summary>Gets a refusal before any write (a warning): <c>{Reason}</c>.</summary>
    public static EventId Refused { get; } = new(130, "ChaosRefused");

    /// <summary>Gets a payload whose log cannot be read (pods/log forbidden), taken as installed (a warning).</summary>
    public static EventId PayloadLogUnreadable { get; } = new(140, "ChaosPayloadLogUnreadable");

    /// <summary>The event of a step of <paramref name="phase"/>.</summary>
    internal static EventId ForPhase(string phase) => phase switch
    {
        "plan" => Plan,
        "guard" => Guard,
        "check-before" => CheckBefore,
        "inject" => Inject,
        "hold" => Hold,
        "recover" => Recover,
        "check-after" => CheckAfter,
        "report" => Report,
        _ => Step,
    };
}
