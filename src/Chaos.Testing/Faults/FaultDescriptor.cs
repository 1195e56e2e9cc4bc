namespace Chaos.Testing;

/// <summary>What a fault is, stated once in its class and listed by <see cref="FaultCatalog"/>.</summary>
internal sealed record FaultDescriptor
{
    /// <summary>Gets the stable name: the ledger's fault name, the payload's container prefix, the docs page.</summary>
    public required string Name { get; init; }

    /// <summary>Gets what the fault acts on.</summary>
    public required FaultTargetKind Target { get; init; }

    /// <summary>Gets how the fault changes the cluster.</summary>
    public required FaultMechanism Mechanism { get; init; }

    /// <summary>Gets the action name of the operator this project descends from (<c>pod-kill</c>, ...), or null where it has none.</summary>
    public string? OperatorAction { get; init; }

    /// <summary>
    /// Gets the family: faults of one family act on the same thing of a target (its images, its traffic shaping, its
    /// taints) and would undo each other, so at most one experiment of a family holds a target at a time, claimed in the
    /// same write as the change. Null for faults any number of which may share a target (cordon, drain, custom) or
    /// that leave nothing (kill, restart).
    /// </summary>
    public string? Family { get; init; }

    /// <summary>Gets the permissions the fault needs to inject and recover, besides those every experiment needs (<see cref="FaultCatalog.EnginePermissions"/>).</summary>
    public required IReadOnlyList<FaultPermission> Permissions { get; init; }

    /// <summary>Gets how a crashed run's change is restored from the ledger; null for a fault that leaves nothing to recover.</summary>
    public ICrashRestore? Restore { get; init; }

    /// <summary>Gets a value indicating whether the fault leaves state that must be recovered.</summary>
    public bool LeavesState => Restore is not null;

    /// <summary>Gets every permission an experiment with this fault needs: its own, the ledger key's when it leaves state, and the engine's.</summary>
    public IReadOnlyList<FaultPermission> RequiredPermissions =>
        [.. Permissions, .. LeavesState ? FaultCatalog.LedgerPermissions : [], .. FaultCatalog.EnginePermissions];

    /// <summary>Gets a typical use of the fault: the conformance suite runs it for every fault; tools can show it.</summary>
    public required Func<FaultSampleTargets, ChaosExperiment> Sample { get; init; }

    /// <summary>Gets the docs page, relative to the repository root.</summary>
    public string DocsPage => $"docs/faults/{Name}.md";
}
