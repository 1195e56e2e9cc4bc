using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// One fault on targets of type <typeparamref name="T"/> (pods or nodes). Inject records every action on the
/// recorder; recover is idempotent, works from what is on the cluster (the ledger), and runs on success, failure
/// and cancellation with a token that is not the cancelled one.
/// </summary>
/// <typeparam name="T">The target type.</typeparam>
internal interface IFault<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Gets the verb shown in descriptions and dry runs, e.g. <c>kill</c>.</summary>
    string Verb { get; }

    /// <summary>Gets the fault's stable name (its catalog name, e.g. <c>pod-kill</c>): the <c>chaos.fault</c> of its spans.</summary>
    string Name { get; }

    /// <summary>Gets the chaos operator's action for this fault, or null where it has none: the <c>action</c> label of the metrics.</summary>
    string? OperatorAction { get; }

    /// <summary>Gets a value indicating whether the fault writes ledger entries, so its run needs the ledger key and a Lease.</summary>
    bool WritesLedger => true;

    /// <summary>Gets how long injection itself may take (a drain waiting for its budget); it extends the ledger deadline.</summary>
    TimeSpan InjectTimeout => TimeSpan.Zero;

    void Validate(ICollection<string> errors);

    /// <summary>Refuses (with <see cref="ChaosRefusedException"/>) picked targets the fault cannot work on; runs in dry runs too, before any write.</summary>
    Task CheckTargetsAsync(FaultContext context, IReadOnlyList<T> targets, SafetyOptions safety, CancellationToken cancellationToken);

    Task InjectAsync(FaultContext context, IReadOnlyList<T> targets, CancellationToken cancellationToken);

    /// <summary>
    /// Watches the targets during the hold (e.g. removes a payload from a pod whose target container restarted); runs until
    /// <paramref name="holdEnded"/> and throws nothing but that cancellation. Most faults have nothing to watch.
    /// </summary>
    Task MonitorAsync(FaultContext context, IReadOnlyList<T> targets, CancellationToken holdEnded) => Task.CompletedTask;

    /// <summary>Recovers every one of <paramref name="targets"/> this run changed; throws <see cref="RecoveryException"/> naming what is left.</summary>
    Task RecoverAsync(FaultContext context, IReadOnlyList<T> targets, CancellationToken cancellationToken);
}
