namespace Chaos.Testing;

/// <summary>Which safety guard refused an experiment (<see cref="ChaosRefusedException.Guard"/>): telemetry counts each one.</summary>
internal enum RefusalGuard
{
    /// <summary>Not a safety guard: an empty selection, a missing namespace, a 403, a probe that could not start.</summary>
    None,

    /// <summary>A production-looking namespace without <c>AllowProduction</c>.</summary>
    Production,

    /// <summary>A pick larger than <c>Safety.MaxPercentage</c>.</summary>
    MaxPercentage,

    /// <summary>A pick leaving fewer than <c>Safety.MinHealthyRemaining</c> untouched.</summary>
    MinHealthyRemaining,

    /// <summary>A namespace in <c>Safety.ProtectedNamespaces</c>.</summary>
    ProtectedNamespace,

    /// <summary>A namespace labelled with the exclusion label.</summary>
    ExcludedNamespace,
}
