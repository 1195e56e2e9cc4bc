using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// One fault on pods. Inject records every action on the recorder; recover is idempotent and runs on success,
/// failure and cancellation (with a token that is not the cancelled one).
/// </summary>
internal interface IPodFault
{
    /// <summary>Gets the verb shown in descriptions and dry runs, e.g. <c>kill</c>.</summary>
    string Verb { get; }

    void Validate(ICollection<string> errors);

    /// <summary>Refuses (with <see cref="ChaosRefusedException"/>) picked pods the fault cannot work on; runs in dry runs too.</summary>
    void CheckTargets(IReadOnlyList<V1Pod> pods);

    Task InjectAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken);

    Task RecoverAsync(FaultContext context, CancellationToken cancellationToken);
}
