using k8s;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>What a fault needs while it injects and recovers.</summary>
internal sealed record FaultContext(
    IKubernetes Client,
    string ExperimentId,
    ApiCalls Api,
    ExperimentRecorder Recorder,
    ChaosEvents Events,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>Gets when the janitor may recover what this run left even if its process is still alive.</summary>
    public DateTimeOffset LedgerDeadline { get; init; }

    /// <summary>Gets how long the fault holds (payloads hold this long on their own, even if this process dies).</summary>
    public TimeSpan Hold { get; init; }

    /// <summary>Gets the safety guards of the run.</summary>
    public SafetyOptions Safety { get; init; } = new();

    /// <summary>Gets or sets the key that seals this run's ledger entries; loaded after the plan is guarded, before the first write.</summary>
    public LedgerKey? Key { get; set; }

    /// <summary>A ledger entry of this run for <paramref name="fault"/>, with its typed recovery record.</summary>
    public LedgerEntry LedgerEntry<TRecord>(string fault, TRecord record) => new()
    {
        Experiment = ExperimentId,
        Fault = fault,
        Deadline = LedgerDeadline,
        Owner = Ledger.Owner,
        Recovery = LedgerRecord.ToJson(record),
        Key = Key ?? throw new InvalidOperationException($"Experiment {ExperimentId} writes a ledger entry before its ledger key was loaded."),
    };
}
