using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>A fault bound to the kind of target it works on; the runner sees only this.</summary>
internal abstract class FaultBinding
{
    public abstract string Verb { get; }

    /// <summary>Gets the fault's stable name, e.g. <c>pod-kill</c>.</summary>
    public abstract string FaultName { get; }

    /// <summary>Gets the operator's action for the fault, or its name where the operator has none: the metrics' <c>action</c> label.</summary>
    public abstract string Action { get; }

    /// <summary>Gets the namespaces the targets are picked from (none for nodes).</summary>
    public abstract IReadOnlyList<string> Namespaces { get; }

    public abstract Selection Selection { get; }

    /// <summary>Gets how long injection itself may take (added to the ledger deadline).</summary>
    public abstract TimeSpan InjectTimeout { get; }

    /// <summary>Gets e.g. <c>kill one of pods in shop with labels app=cart</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Gets a value indicating whether the fault writes ledger entries (so the run needs the ledger key).</summary>
    public abstract bool WritesLedger { get; }

    public abstract void Validate(ICollection<string> errors);

    /// <summary>Plans and guards (no write), then checks the picked targets against the fault.</summary>
    public abstract Task<PlannedFault> PlanAsync(FaultContext context, SafetyOptions safety, int seed, CancellationToken cancellationToken);
}

/// <summary>The picked targets of one run and the fault to apply to them.</summary>
internal abstract class PlannedFault
{
    /// <summary>Gets the kind of the targets, e.g. <c>Pod</c>.</summary>
    public abstract string Kind { get; }

    public abstract IReadOnlyList<V1ObjectMeta> Targets { get; }

    public abstract Task InjectAsync(CancellationToken cancellationToken);

    /// <summary>Watches the targets during the hold, until <paramref name="holdEnded"/>.</summary>
    public abstract Task MonitorAsync(CancellationToken holdEnded);

    public abstract Task RecoverAsync(CancellationToken cancellationToken);
}

/// <summary>Binds a target scope to a fault on the same target type.</summary>
internal sealed class FaultBinding<T>(ITargetScope<T> scope, IFault<T> fault) : FaultBinding
    where T : IKubernetesObject<V1ObjectMeta>
{
    public override string Verb => fault.Verb;

    public override string FaultName => fault.Name;

    public override string Action => fault.OperatorAction ?? fault.Name;

    public override IReadOnlyList<string> Namespaces => scope.Namespaces;

    public override Selection Selection => scope.Selection;

    public override TimeSpan InjectTimeout => fault.InjectTimeout;

    public override string Description => $"{fault.Verb} {scope.Selection} of {scope.TargetDescription}";

    public override bool WritesLedger => fault.WritesLedger;

    public override void Validate(ICollection<string> errors)
    {
        scope.Validate(errors);
        fault.Validate(errors);
    }

    public override async Task<PlannedFault> PlanAsync(FaultContext context, SafetyOptions safety, int seed, CancellationToken cancellationToken)
    {
        var picked = await scope.PlanAsync(context, safety, fault.Verb, seed, cancellationToken);
        await fault.CheckTargetsAsync(context, picked, safety, cancellationToken);
        return new Planned(context, scope.Kind, picked, fault);
    }

    private sealed class Planned(FaultContext context, string kind, IReadOnlyList<T> picked, IFault<T> fault) : PlannedFault
    {
        public override string Kind => kind;

        public override IReadOnlyList<V1ObjectMeta> Targets { get; } = picked.Select(t => t.Metadata).ToList();

        public override Task InjectAsync(CancellationToken cancellationToken) => fault.InjectAsync(context, picked, cancellationToken);

        public override Task MonitorAsync(CancellationToken holdEnded) => fault.MonitorAsync(context, picked, holdEnded);

        public override Task RecoverAsync(CancellationToken cancellationToken) => fault.RecoverAsync(context, picked, cancellationToken);
    }
}

/// <summary>Where a fault's targets come from: the first stage of the DSL (<see cref="PodChaos"/>, <see cref="NodeChaos"/>).</summary>
/// <typeparam name="T">The target type.</typeparam>
internal interface ITargetScope<T>
{
    /// <summary>Gets the kind, e.g. <c>Pod</c>.</summary>
    string Kind { get; }

    Selection Selection { get; }

    /// <summary>Gets e.g. <c>pods in shop with labels app=cart</c>.</summary>
    string TargetDescription { get; }

    /// <summary>Gets the namespaces the targets are picked from (none for nodes).</summary>
    IReadOnlyList<string> Namespaces { get; }

    void Validate(ICollection<string> errors);

    /// <summary>Resolves, filters, picks (seeded) and guards. Throws <see cref="ChaosRefusedException"/> before any write.</summary>
    Task<IReadOnlyList<T>> PlanAsync(FaultContext context, SafetyOptions safety, string verb, int seed, CancellationToken cancellationToken);
}
