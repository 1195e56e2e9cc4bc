using k8s.Models;

namespace Chaos.Testing;

/// <summary>The <c>Inject(...)</c> custom fault of the DSL.</summary>
public static class CustomChaosExtensions
{
    /// <summary>
    /// A fault of your own on the selected pods, with the same plan, safety, ledger and result as the built-in ones: each
    /// picked pod carries a ledger annotation while it holds, <paramref name="recover"/> runs on success, failure and
    /// cancellation, and a crashed run is recovered by <see cref="ChaosJanitor"/> when <paramref name="name"/> is registered
    /// with <see cref="SweepOptions.RecoverCustom"/>.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="inject">Applies the fault to <see cref="CustomFaultContext.Pods"/>.</param>
    /// <param name="recover">Undoes it; must be idempotent (it also runs when <paramref name="inject"/> stopped half-way).</param>
    /// <param name="name">A short name (lowercase letters, digits, '-'), shown in results and in the ledger.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Inject(
        this PodChaos chaos,
        Func<CustomFaultContext, CancellationToken, Task> inject,
        Func<CustomFaultContext, CancellationToken, Task> recover,
        string name = CustomFault.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new CustomFault<V1Pod>(name, inject, recover));
    }

    /// <summary>A fault of your own on the selected nodes; see <see cref="Inject(PodChaos, Func{CustomFaultContext, CancellationToken, Task}, Func{CustomFaultContext, CancellationToken, Task}, string)"/>.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="inject">Applies the fault to <see cref="CustomFaultContext.Nodes"/>.</param>
    /// <param name="recover">Undoes it; must be idempotent.</param>
    /// <param name="name">A short name (lowercase letters, digits, '-').</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Inject(
        this NodeChaos chaos,
        Func<CustomFaultContext, CancellationToken, Task> inject,
        Func<CustomFaultContext, CancellationToken, Task> recover,
        string name = CustomFault.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new CustomFault<V1Node>(name, inject, recover));
    }
}
