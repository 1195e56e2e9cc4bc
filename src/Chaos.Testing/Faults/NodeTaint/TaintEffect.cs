namespace Chaos.Testing;

/// <summary>The effect of a node taint on pods that do not tolerate it.</summary>
public enum TaintEffect
{
    /// <summary>New pods are not scheduled on the node; running pods stay.</summary>
    NoSchedule,

    /// <summary>The scheduler avoids the node when it can; running pods stay.</summary>
    PreferNoSchedule,

    /// <summary>New pods are not scheduled and running pods are evicted (after their toleration seconds, if any).</summary>
    NoExecute,
}
